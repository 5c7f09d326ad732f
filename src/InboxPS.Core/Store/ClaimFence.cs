using System;
using System.Threading;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// The claim a flow of work holds while it writes (<see cref="IMailboxLeases.FenceWrites"/>), for both stores: each
/// store's write checks it inside its own transaction (the lease row locked until the commit), so a worker whose claim
/// was taken over stores nothing more, and the taker never sees a late page land on top of its own.
/// </summary>
internal sealed class ClaimFence
{
    // Async-local: the claim follows the mailbox's awaits and nothing else (other mailboxes, the renewal timer).
    private readonly AsyncLocal<MailboxClaim?> _held = new();

    /// <summary>The claim the current flow writes under, or null when its writes are not fenced.</summary>
    public MailboxClaim? Held => _held.Value;

    public IDisposable Enter(MailboxClaim claim)
    {
        var outer = _held.Value;
        _held.Value = claim;
        return new Exit(this, outer);
    }

    /// <summary>
    /// The refusal when the lease row (read in the write's transaction) no longer names this claim's run as its holder:
    /// null while it does.
    /// </summary>
    public static StoreException? Refusal(string path, MailboxClaim claim, LeaseRow? row)
    {
        if (row?.HolderToken == claim.Run.Token)
        {
            return null;
        }

        var taker = row?.Holder ?? row?.FinishedBy;
        var takenBy = taker is null ? "another worker" : $"worker {taker}";
        var finished = row is { Holder: null, FinishedBy: not null } ? $" and finished it at {row.Finished:u}" : string.Empty;
        return new StoreException("MailboxTakenOver", InboxErrorKind.OperationStopped, path,
            $"{claim.Mailbox} was taken over by {takenBy}{finished}: this worker ({claim.Run.Worker}) stalled past its claim, " +
            "so it stored nothing more for the mailbox; the other worker continued from the last page stored.",
            $"Nothing to do for this user. If workers stall often, raise ${LeasedMailboxJob.LeaseVariable} (seconds a claim lasts).",
            fault: SyncFault.ClaimLost);
    }

    private sealed class Exit : IDisposable
    {
        private readonly ClaimFence _fence;
        private readonly MailboxClaim? _outer;

        public Exit(ClaimFence fence, MailboxClaim? outer)
        {
            _fence = fence;
            _outer = outer;
        }

        public void Dispose() => _fence._held.Value = _outer;
    }
}
