using System;

namespace InboxPS.Core.Sync;

/// <summary>
/// One mailbox in one worker's run: the figures of its outcome. The newest ones are the user's "last run" figures and
/// the failing ones the user's error history; a run's rows feed its report.
/// </summary>
public sealed class MailboxRunRecord
{
    public MailboxRunRecord(string organization, string mailbox)
    {
        Organization = organization;
        Mailbox = mailbox;
    }

    public long RunId { get; set; }
    public string Organization { get; }
    public string Mailbox { get; }
    public string? Worker { get; set; }

    /// <summary>Synced or Failed.</summary>
    public string Status { get; set; } = nameof(SyncStatus.Synced);
    public DateTimeOffset Ended { get; set; }
    public TimeSpan Duration { get; set; }

    /// <summary>Requests sent for the mailbox in the run, retries included (the result's Attempts).</summary>
    public int Calls { get; set; }
    public TimeSpan Throttled { get; set; }
    public int ItemsAdded { get; set; }
    public int ItemsUpdated { get; set; }
    public int ItemsDeleted { get; set; }
    public int ItemsSkipped { get; set; }
    public string? ErrorId { get; set; }
    public string? Message { get; set; }
    public string? RecommendedAction { get; set; }

    /// <summary>The record of <paramref name="result"/>; null for outcomes that are not a synced or failed mailbox.</summary>
    public static MailboxRunRecord? From(MailboxOutcome outcome)
    {
        if (outcome is not MailboxSyncResult { Status: SyncStatus.Synced or SyncStatus.Failed } result)
        {
            return null;
        }

        return new MailboxRunRecord(result.Organization, result.Mailbox)
        {
            Status = result.Status.ToString(),
            Ended = DateTimeOffset.UtcNow,
            Duration = result.Duration,
            Calls = result.Attempts,
            Throttled = result.ThrottledFor,
            ItemsAdded = result.ItemsAdded,
            ItemsUpdated = result.ItemsUpdated,
            ItemsDeleted = result.ItemsDeleted,
            ItemsSkipped = result.ItemsSkipped,
            ErrorId = result.ErrorId,
            Message = result.Message,
            RecommendedAction = result.RecommendedAction,
        };
    }

    public override string ToString() => $"{Mailbox}: {Status}";
}
