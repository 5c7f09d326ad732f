namespace InboxPS.Core.Ews;

/// <summary>The change kinds of SyncFolderHierarchy and SyncFolderItems (folders have no ReadFlagChange).</summary>
public enum SyncChangeType
{
    Create,
    Update,
    Delete,
    ReadFlagChange,
}
