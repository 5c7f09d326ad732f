namespace InboxPS.Core.Ews;

/// <summary>The change kinds of SyncFolderHierarchy and SyncFolderItems (folders have no ReadFlagChange).</summary>
public enum SyncChangeType
{
    Create,
    Update,
    Delete,
    ReadFlagChange,
}

/// <summary>One change of a folder hierarchy page.</summary>
public sealed class FolderChange
{
    public FolderChange(SyncChangeType changeType, string folderId, EwsFolder? folder)
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
