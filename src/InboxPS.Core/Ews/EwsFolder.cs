namespace InboxPS.Core.Ews;

/// <summary>A mailbox folder as GetFolder and SyncFolderHierarchy return it.</summary>
public sealed class EwsFolder
{
    public EwsFolder(string folderId, string? changeKey = null, string? parentFolderId = null, string displayName = "",
        string? folderClass = null, int? totalCount = null, int? unreadCount = null, int? childFolderCount = null)
    {
        FolderId = folderId;
        ChangeKey = changeKey;
        ParentFolderId = parentFolderId;
        DisplayName = displayName;
        FolderClass = folderClass;
        TotalCount = totalCount;
        UnreadCount = unreadCount;
        ChildFolderCount = childFolderCount;
    }

    public string FolderId { get; }
    public string? ChangeKey { get; }
    public string? ParentFolderId { get; }

    /// <summary>Empty when the server sent none.</summary>
    public string DisplayName { get; }

    /// <summary>IPF.Note for mail folders; IPF.Appointment, IPF.Contact, IPF.Task... for others.</summary>
    public string? FolderClass { get; }

    public int? TotalCount { get; }
    public int? UnreadCount { get; }
    public int? ChildFolderCount { get; }

    public override string ToString() => DisplayName.Length > 0 ? DisplayName : FolderId;
}
