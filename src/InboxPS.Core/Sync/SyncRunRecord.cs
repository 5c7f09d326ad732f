using System;

namespace InboxPS.Core.Sync;

/// <summary>A worker's run as stored: start, end (null while running or when the worker died) and totals.</summary>
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
}
