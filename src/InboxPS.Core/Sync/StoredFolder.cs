namespace InboxPS.Core.Sync;

/// <summary>A folder of a user's mailbox as the store knows it.</summary>
public sealed class StoredFolder
{
    public StoredFolder(string folderId)
    {
        FolderId = folderId;
    }

    public string FolderId { get; }
    public string? ParentFolderId { get; set; }
    public string? DisplayName { get; set; }
    public string? FolderClass { get; set; }
    public string? WellKnownName { get; set; }
    public bool Selected { get; set; }
    public string? SyncState { get; set; }
}
