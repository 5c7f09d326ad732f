using System;
using System.Collections.Generic;
using System.Linq;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// The figures of the HTML report for an organization (each user's newest run) or one run: per-user statistics (the
/// same objects Get-InboxSyncStatistics writes), the mailbox run records the chart is drawn from, and the run records.
/// </summary>
public sealed class SyncReport
{
    private SyncReport(OrganizationProfile organization, long? runId)
    {
        Organization = organization;
        RunId = runId;
    }

    public OrganizationProfile Organization { get; }

    /// <summary>The run reported on; null for the organization as it stands.</summary>
    public long? RunId { get; }
    public DateTimeOffset Generated { get; } = DateTimeOffset.UtcNow;
    public List<MailboxStatistics> Users { get; } = new();
    public List<MailboxRunRecord> MailboxRuns { get; } = new();
    public List<SyncRunRecord> Runs { get; } = new();

    /// <summary>Reads the report's figures from the store.</summary>
    /// <exception cref="InboxException">RunNotFound: the organization has no run with <paramref name="runId"/>.</exception>
    public static SyncReport Read(IInboxStore store, OrganizationProfile organization, long? runId)
    {
        var report = new SyncReport(organization, runId);
        var runs = store.GetRuns(organization.Name, 100_000);
        report.Runs.AddRange(runId is { } id ? runs.Where(r => r.Id == id) : runs);
        if (runId is not null && report.Runs.Count == 0)
        {
            throw new InboxException("RunNotFound", InboxErrorKind.NotFound,
                $"Organization '{organization.Name}' has no run with id {runId}.",
                $"Run Get-InboxSyncRun -Organization '{organization.Name}' to see the runs' ids.", runId);
        }

        report.MailboxRuns.AddRange(store.GetRunMailboxes(organization.Name, runId));
        var inRun = runId is null ? null : new HashSet<string>(report.MailboxRuns.Select(r => r.Mailbox), StringComparer.OrdinalIgnoreCase);
        foreach (var entry in store.GetRoster(organization.Name, activeOnly: false))
        {
            if (inRun is null ? entry.Active || entry.Status == RosterStatus.Failed : inRun.Contains(entry.Mailbox))
            {
                report.Users.Add(SyncStatistics.For(store, organization, entry));
            }
        }

        return report;
    }

    /// <summary>
    /// The mailbox runs counted in <paramref name="buckets"/> equal slices of the time they span (by when each ended):
    /// mailboxes finished, items changed and seconds throttled per slice.
    /// </summary>
    public IReadOnlyList<ReportChartBucket> Timeline(int buckets)
    {
        var result = new List<ReportChartBucket>();
        if (MailboxRuns.Count == 0)
        {
            return result;
        }

        var start = MailboxRuns.Min(r => r.Ended - r.Duration);
        var end = MailboxRuns.Max(r => r.Ended);
        var slice = TimeSpan.FromTicks(Math.Max((end - start).Ticks / buckets + 1, TimeSpan.TicksPerSecond));
        for (var i = 0; i < buckets; i++)
        {
            result.Add(new ReportChartBucket(start + TimeSpan.FromTicks(slice.Ticks * i)));
        }

        foreach (var run in MailboxRuns)
        {
            var bucket = result[Math.Min(buckets - 1, (int)((run.Ended - start).Ticks / slice.Ticks))];
            bucket.Mailboxes++;
            bucket.Items += run.ItemsAdded + run.ItemsUpdated + run.ItemsDeleted;
            bucket.Throttled += run.Throttled;
        }

        return result;
    }
}
