namespace InboxPS.Core.Ews;

/// <summary>An item of a GetItem batch that failed on its own, and why.</summary>
public sealed class EwsItemFailure
{
    public EwsItemFailure(string itemId, EwsException error)
    {
        ItemId = itemId;
        Error = error;
    }

    public string ItemId { get; }
    public EwsException Error { get; }
}
