namespace InboxPS.Core.Sync;

/// <summary>
/// An item a page named but the server could not hand over (corrupt, too large, unconvertible: SyncFault.ItemFailed).
/// The folder advances past it; the store remembers it with the reason, and a later run reads it again.
/// </summary>
public sealed class SkippedItem
{
    /// <summary>The error id of an item a partial update named before it was stored (see <see cref="ItemPageOutcome.ToReadWhole"/>).</summary>
    public const string PartialChangeOfUnstoredItem = "PartialChangeOfUnstoredItem";

    public SkippedItem(string itemId, string errorId, string reason)
    {
        ItemId = itemId;
        ErrorId = errorId;
        Reason = reason;
    }

    public string ItemId { get; }

    /// <summary>The protocol's stable id of the item's error (EwsErrorItemCorrupt, ...).</summary>
    public string ErrorId { get; }

    public string Reason { get; }
}
