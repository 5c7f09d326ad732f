using System;

namespace InboxPS.Core.Sync;

/// <summary>The answer to a claim: granted to this run, or refused with the worker that has the mailbox and until when.</summary>
public sealed class MailboxClaim
{
    private MailboxClaim(SyncRun run, string mailbox, bool granted, string? holder, DateTimeOffset? until, bool finishedByHolder)
    {
        Run = run;
        Mailbox = mailbox;
        Granted = granted;
        Holder = holder;
        Until = until;
        FinishedByHolder = finishedByHolder;
    }

    public SyncRun Run { get; }
    public string Mailbox { get; }
    public bool Granted { get; }

    /// <summary>When refused: the worker that holds the mailbox or finished it in this round.</summary>
    public string? Holder { get; }

    /// <summary>When refused: the holder's claim expires then (or the holder finished the mailbox then).</summary>
    public DateTimeOffset? Until { get; }

    /// <summary>When refused: the holder already finished the mailbox after this run started.</summary>
    public bool FinishedByHolder { get; }

    public static MailboxClaim Grant(SyncRun run, string mailbox) => new(run, mailbox, true, null, null, false);

    public static MailboxClaim HeldBy(SyncRun run, string mailbox, string holder, DateTimeOffset until) =>
        new(run, mailbox, false, holder, until, false);

    public static MailboxClaim FinishedBy(SyncRun run, string mailbox, string holder, DateTimeOffset finished) =>
        new(run, mailbox, false, holder, finished, true);

    /// <summary>Claimed by another worker this very moment (its row was locked): it is about to sync the mailbox.</summary>
    public static MailboxClaim Busy(SyncRun run, string mailbox) => new(run, mailbox, false, null, null, false);

    /// <summary>Why the claim was refused, for the mailbox's Skipped result.</summary>
    public string Describe() =>
        Granted ? $"{Mailbox} is claimed by this worker ({Run.Worker})."
        : FinishedByHolder ? $"Already synced in this round by worker {Holder} at {Until:u}; this worker left it alone."
        : Holder is null ? "Being claimed by another worker right now; this worker left it alone."
        : $"Being synced by worker {Holder} (its claim runs until {Until:u}); this worker left it alone.";
}
