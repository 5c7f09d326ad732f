using System;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>A mailbox's claim row as both stores read it, and the one rule that decides whether a run may take it.</summary>
internal sealed class LeaseRow
{
    public LeaseRow(string? holderToken, string? holder, DateTimeOffset? expires, string? finishedToken, string? finishedBy,
        DateTimeOffset? finished)
    {
        HolderToken = holderToken;
        Holder = holder;
        Expires = expires;
        FinishedToken = finishedToken;
        FinishedBy = finishedBy;
        Finished = finished;
    }

    public string? HolderToken { get; }
    public string? Holder { get; }
    public DateTimeOffset? Expires { get; }
    public string? FinishedToken { get; }
    public string? FinishedBy { get; }
    public DateTimeOffset? Finished { get; }

    /// <summary>
    /// Null when <paramref name="run"/> may claim the mailbox at <paramref name="now"/> (the store's clock): nobody holds an
    /// unexpired claim, and no other run finished it since this run started. Otherwise the refusal.
    /// </summary>
    public MailboxClaim? Refusal(SyncRun run, string mailbox, DateTimeOffset now)
    {
        if (HolderToken is not null && HolderToken != run.Token && Expires is { } expires && expires > now)
        {
            return MailboxClaim.HeldBy(run, mailbox, Holder ?? "?", expires);
        }

        if (FinishedToken is not null && FinishedToken != run.Token && Finished is { } finished && finished >= run.Started)
        {
            return MailboxClaim.FinishedBy(run, mailbox, FinishedBy ?? "?", finished);
        }

        return null;
    }
}
