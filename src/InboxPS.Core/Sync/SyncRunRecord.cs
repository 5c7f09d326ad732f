using System;

namespace InboxPS.Core.Sync;

/// <summary>
/// A worker's run as stored: who started it where and how, start, end (null while running or when the worker died),
/// how it ended, and totals.
/// </summary>
public sealed class SyncRunRecord
{
    public SyncRunRecord(long id, string organization, string worker)
    {
        Id = id;
        Organization = organization;
        Worker = worker;
    }

    public long Id { get; }
    public string Organization { get; }
    public string Worker { get; }
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset? Ended { get; set; }
    public int Users { get; set; }
    public int Synced { get; set; }
    public int Failed { get; set; }
    public int Skipped { get; set; }
    public long Items { get; set; }
    public TimeSpan Throttled { get; set; }

    /// <summary>Completed, Cancelled or Failed; Running, or Interrupted for a run that never recorded its end (see <see cref="SyncRunEnd"/>).</summary>
    public string Result { get; set; } = SyncRunEnd.Running;
    public string? StartedBy { get; set; }
    public string? Machine { get; set; }
    public string? Parameters { get; set; }
    public long ItemsAdded { get; set; }
    public long ItemsUpdated { get; set; }
    public long ItemsDeleted { get; set; }

    /// <summary>How long the run took; null while it runs, and for an interrupted run (its end is unknown).</summary>
    public TimeSpan? Duration => Ended is { } ended ? ended - Started : null;
}
