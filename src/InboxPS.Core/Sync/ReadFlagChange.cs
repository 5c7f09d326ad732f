namespace InboxPS.Core.Sync;

public sealed class ReadFlagChange
{
    public ReadFlagChange(string itemId, bool isRead, string? changeKey = null)
    {
        ItemId = itemId;
        IsRead = isRead;
        ChangeKey = changeKey;
    }

    public string ItemId { get; }
    public bool IsRead { get; }

    /// <summary>The item's new change key: marking an item read changes its version too.</summary>
    public string? ChangeKey { get; }
}
