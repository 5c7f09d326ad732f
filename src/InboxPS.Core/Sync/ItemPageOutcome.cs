namespace InboxPS.Core.Sync;

/// <summary>What one applied page changed in the store.</summary>
public readonly struct ItemPageOutcome
{
    public ItemPageOutcome(int added, int updated, int deleted)
    {
        Added = added;
        Updated = updated;
        Deleted = deleted;
    }

    public int Added { get; }
    public int Updated { get; }
    public int Deleted { get; }
}
