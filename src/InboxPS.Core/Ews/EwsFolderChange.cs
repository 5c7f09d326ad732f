namespace InboxPS.Core.Ews;

/// <summary>One change of a folder hierarchy page.</summary>
public sealed class EwsFolderChange
{
    public EwsFolderChange(SyncChangeType changeType, string folderId, EwsFolder? folder)
    {
        ChangeType = changeType;
        FolderId = folderId;
        Folder = folder;
    }

    public SyncChangeType ChangeType { get; }
    public string FolderId { get; }

    /// <summary>The folder's properties for Create and Update; null for Delete.</summary>
    public EwsFolder? Folder { get; }
}
