using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>
/// How several workers (processes, on one machine or many) share one store without a coordinator of their own: a worker
/// claims a mailbox for a while before it syncs it, renews the claim while it works and releases it when done. A claim
/// that is not renewed (the worker died) expires, and another worker continues from the last stored page. The store
/// decides with its own machinery (PostgreSQL: row locks taken with SKIP LOCKED; SQLite: its write lock) and its own
/// clock, so workers on machines whose clocks differ still agree.
/// </summary>
public interface IMailboxLeases
{
    /// <summary>Starts a worker's run for the organization: the run record and the time claims are compared with.</summary>
    SyncRun StartRun(string organization, string worker);

    /// <summary>Ends the run record with its totals.</summary>
    void FinishRun(SyncRun run, SyncRunTotals totals);

    /// <summary>
    /// Claims <paramref name="mailbox"/> for <paramref name="duration"/>. Refused when another worker holds a claim that
    /// has not expired, or finished the mailbox after this run started (each mailbox is synced once per round of runs).
    /// </summary>
    MailboxClaim TryClaim(SyncRun run, string mailbox, TimeSpan duration);

    /// <summary>Extends a granted claim; false when it was lost (it expired and another worker took the mailbox).</summary>
    bool Renew(MailboxClaim claim, TimeSpan duration);

    /// <summary>
    /// Gives the mailbox up. <paramref name="finished"/>: the mailbox has its outcome for this round (the roster then
    /// names this worker as the one that synced it last); false lets any worker take it again at once.
    /// </summary>
    void Release(MailboxClaim claim, bool finished);

    /// <summary>The run records, newest first: every worker's start, end and totals.</summary>
    IReadOnlyList<SyncRunRecord> GetRuns(string? organization, int limit);
}
