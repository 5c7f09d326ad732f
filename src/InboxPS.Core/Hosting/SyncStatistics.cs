using System;
using System.Collections.Generic;
using System.Linq;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>Puts one user's statistics together from the roster, the stored folders and items, and the run history.</summary>
public static class SyncStatistics
{
    /// <summary>How many failures the statistics list.</summary>
    public const int FailuresShown = 5;

    public static MailboxStatistics For(IInboxStore store, OrganizationProfile organization, RosterEntry entry)
    {
        // Folders the user syncs, and any other that still holds items or skipped items (chosen before).
        var folders = store.GetFolderStatistics(entry.Organization, entry.Mailbox)
            .Where(f => f.Selected || f.Items > 0 || f.Skipped > 0).ToList();
        var skipped = new List<SkippedItem>();
        foreach (var folder in folders.Where(f => f.Skipped > 0))
        {
            skipped.AddRange(store.GetSkippedItems(entry.Organization, entry.Mailbox, folder.FolderId));
        }

        var runs = store.GetMailboxRuns(entry.Organization, entry.Mailbox, HistorySql.MailboxRunsKept);
        var last = runs.FirstOrDefault();
        return new MailboxStatistics(entry.Organization, entry.Mailbox)
        {
            Status = entry.Status,
            Items = folders.Sum(f => f.Items),
            Size = folders.Sum(f => f.Size),
            SkippedItems = folders.Sum(f => f.Skipped),
            LastAttempt = entry.LastAttempt,
            LastSuccess = entry.LastSuccess,
            LastDuration = last?.Duration,
            LastCalls = last?.Calls,
            LastThrottled = last?.Throttled,
            LastItemsAdded = last?.ItemsAdded,
            LastItemsUpdated = last?.ItemsUpdated,
            LastItemsDeleted = last?.ItemsDeleted,
            Attempts = Attempts(runs),
            AccessType = organization.AccessType.ToString(),
            Worker = entry.Worker,
            Folders = folders,
            Skipped = skipped,
            Failures = runs.Where(r => r.ErrorId is not null).Take(FailuresShown).ToList(),
        };
    }

    /// <summary>See <see cref="MailboxStatistics.Attempts"/>: <paramref name="runs"/> newest first.</summary>
    public static int Attempts(IReadOnlyList<MailboxRunRecord> runs)
    {
        if (runs.Count == 0)
        {
            return 0;
        }

        // The newest run, then the failures straight before it.
        var attempts = 1;
        while (attempts < runs.Count && runs[attempts].ErrorId is not null)
        {
            attempts++;
        }

        return attempts;
    }
}
