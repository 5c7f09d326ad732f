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
    /// <summary>
    /// Starts a worker's run for the organization: the run record and the time claims are compared with. A run started
    /// within <paramref name="roundWindow"/> after another run began a round joins that round (workers started by one
    /// schedule, one of them late); otherwise it begins a round of its own. Null: the store's default
    /// (<see cref="DefaultRoundWindow"/>).
    /// </summary>
    SyncRun StartRun(string organization, string worker, TimeSpan? roundWindow = null);

    /// <summary>The round window of a run that names none: zero for a store of one machine, minutes for a shared one.</summary>
    TimeSpan DefaultRoundWindow { get; }

    /// <summary>
    /// Fences this store's writes made by the calling flow (its awaits included) until disposed: each write checks, in
    /// its own transaction, that <paramref name="claim"/> is still held, and fails with <see cref="SyncFault.ClaimLost"/>
    /// (naming the worker that has the mailbox now) when it is not, so a worker that stalled past its claim never writes
    /// over the progress of the worker that took the mailbox over.
    /// </summary>
    IDisposable FenceWrites(MailboxClaim claim);

    /// <summary>Ends the run record with its totals.</summary>
    void FinishRun(SyncRun run, SyncRunTotals totals);

    /// <summary>
    /// Claims <paramref name="mailbox"/> for <paramref name="duration"/>. Refused when another worker holds a claim that
    /// has not expired, or another run finished the mailbox after this run's round began (once per round of runs).
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
