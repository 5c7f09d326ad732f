using System;

namespace InboxPS.Core.Hosting;

/// <summary>One slice of the report's chart: mailboxes finished, items changed and time throttled in it.</summary>
public sealed class ReportChartBucket
{
    public ReportChartBucket(DateTimeOffset start) => Start = start;

    public DateTimeOffset Start { get; }
    public int Mailboxes { get; set; }
    public long Items { get; set; }
    public TimeSpan Throttled { get; set; }
}
