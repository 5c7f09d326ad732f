namespace InboxPS.Core.Ews;

/// <summary>One change of a SyncFolderItems page: ids only; GetItemsAsync fetches the properties of Create and Update.</summary>
public sealed class ItemChange
{
    public ItemChange(SyncChangeType changeType, string itemId, string? changeKey, bool? isRead)
    {
        ChangeType = changeType;
        ItemId = itemId;
        ChangeKey = changeKey;
        IsRead = isRead;
    }

    public SyncChangeType ChangeType { get; }
    public string ItemId { get; }
    public string? ChangeKey { get; }

    /// <summary>The new read state of a ReadFlagChange (and of a Create or Update when the server sent it).</summary>
    public bool? IsRead { get; }
}
