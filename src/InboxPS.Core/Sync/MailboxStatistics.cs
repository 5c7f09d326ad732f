using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>
/// What was synced for one user (Get-InboxSyncStatistics): the store's folders with counts and sizes, the items
/// skipped with reasons, the last run's figures and the recent failures, beside the roster's status.
/// </summary>
public sealed class MailboxStatistics
{
    public MailboxStatistics(string organization, string mailbox)
    {
        Organization = organization;
        Mailbox = mailbox;
    }

    public string Organization { get; }
    public string Mailbox { get; }
    public string Status { get; set; } = RosterStatus.Pending;
    public int Items { get; set; }

    /// <summary>Bytes of the stored items, as the server reported their sizes.</summary>
    public long Size { get; set; }
    public int SkippedItems { get; set; }
    public DateTimeOffset? LastAttempt { get; set; }
    public DateTimeOffset? LastSuccess { get; set; }

    /// <summary>The last run's time on this user; null before any recorded run.</summary>
    public TimeSpan? LastDuration { get; set; }

    /// <summary>Requests the last run sent for this user, retries included.</summary>
    public int? LastCalls { get; set; }
    public TimeSpan? LastThrottled { get; set; }
    public int? LastItemsAdded { get; set; }
    public int? LastItemsUpdated { get; set; }
    public int? LastItemsDeleted { get; set; }

    /// <summary>
    /// The runs it took to reach the current status: for a Synced user its last successful run plus the failed runs
    /// straight before it (1 = synced at the first try); for a Failed user the failed runs in a row so far.
    /// </summary>
    public int Attempts { get; set; }
    public string? AccessType { get; set; }

    /// <summary>The worker that synced the user last.</summary>
    public string? Worker { get; set; }
    public IReadOnlyList<FolderStatistics> Folders { get; set; } = Array.Empty<FolderStatistics>();
    public IReadOnlyList<SkippedItem> Skipped { get; set; } = Array.Empty<SkippedItem>();

    /// <summary>The newest failures, newest first: when, the error id, the message and what to do.</summary>
    public IReadOnlyList<MailboxRunRecord> Failures { get; set; } = Array.Empty<MailboxRunRecord>();

    public override string ToString() => $"{Mailbox}: {Status}, {Items} items";
}
