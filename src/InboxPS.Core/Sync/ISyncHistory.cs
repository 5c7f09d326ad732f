using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>
/// What the store remembers beyond the current state: how each worker's run was started, each mailbox's figures in each
/// run (its last run and its error history), and reads of the stored items and folders for the statistics and reports.
/// </summary>
public interface ISyncHistory
{
    /// <summary>
    /// Adds who started the run, where and with which parameters to its record; the run counts as running (not
    /// Interrupted) for <paramref name="aliveFor"/> at least.
    /// </summary>
    void DescribeRun(SyncRun run, SyncRunContext context, System.TimeSpan aliveFor);

    /// <summary>
    /// Remembers one mailbox's outcome in the run, and that the run was alive then (until
    /// <paramref name="aliveFor"/> from now). Only the newest runs of each mailbox are kept.
    /// </summary>
    void RecordMailboxRun(SyncRun run, MailboxRunRecord record, System.TimeSpan aliveFor);

    /// <summary>The mailbox's newest run records, newest first; only failures with <paramref name="failuresOnly"/>.</summary>
    IReadOnlyList<MailboxRunRecord> GetMailboxRuns(string organization, string mailbox, int limit, bool failuresOnly = false);

    /// <summary>
    /// The run's mailbox records in the order they ended; without <paramref name="runId"/>, each mailbox's newest record.
    /// Read lazily.
    /// </summary>
    IEnumerable<MailboxRunRecord> GetRunMailboxes(string organization, long? runId);

    /// <summary>The user's stored folders with their item counts, sizes, unread and skipped items.</summary>
    IReadOnlyList<FolderStatistics> GetFolderStatistics(string organization, string mailbox);

    /// <summary>
    /// The stored items <paramref name="query"/> selects, streamed from one reader in mailbox, folder and received order:
    /// nothing is held but the current row.
    /// </summary>
    IEnumerable<StoredItem> ReadItems(ItemQuery query);
}
