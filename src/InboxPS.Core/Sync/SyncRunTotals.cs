using System;

namespace InboxPS.Core.Sync;

/// <summary>What a worker's run came to: the figures its run record keeps.</summary>
public sealed class SyncRunTotals
{
    public int Users { get; set; }
    public int Synced { get; set; }
    public int Failed { get; set; }

    /// <summary>Mailboxes left to other workers (claimed by them, or finished by them in this round).</summary>
    public int Skipped { get; set; }

    /// <summary>Items added, updated or deleted.</summary>
    public long Items { get; set; }
    public TimeSpan Throttled { get; set; }
    public long ItemsAdded { get; set; }
    public long ItemsUpdated { get; set; }
    public long ItemsDeleted { get; set; }

    /// <summary>How the run ended (<see cref="SyncRunEnd"/>): Completed unless the run was stopped or failed.</summary>
    public string Result { get; set; } = SyncRunEnd.Completed;
}
