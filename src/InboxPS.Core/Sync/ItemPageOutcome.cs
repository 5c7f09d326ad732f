namespace InboxPS.Core.Sync;

/// <summary>What one applied page changed in the store.</summary>
public readonly struct ItemPageOutcome
{
    public ItemPageOutcome(int added, int updated, int deleted, int skipped = 0)
    {
        Skipped = skipped;
        Added = added;
        Updated = updated;
        Deleted = deleted;
    }

    public int Added { get; }
    public int Updated { get; }
    public int Deleted { get; }

    /// <summary>Items of the page recorded as skipped (to be read again on a later run).</summary>
    public int Skipped { get; }
}
