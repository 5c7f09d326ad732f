using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Graph;

/// <summary>
/// Graph's limits are per app and mailbox, so every request for one mailbox passes one gate, whichever of its folders
/// it serves: at most <c>limit</c> in flight, and none sent while a Retry-After the mailbox got is still running (a
/// request sent then counts against the app and restarts the wait).
/// </summary>
internal sealed class GraphMailboxGate
{
    private readonly SemaphoreSlim _slots;

    // Taking several slots (a JSON batch) happens one taker at a time, so two batches never each hold part of the limit
    // while they wait for the rest.
    private readonly SemaphoreSlim _severalSlots = new(1, 1);
    private long _notBeforeTicks;

    public GraphMailboxGate(int limit, string mailbox = "")
    {
        _slots = new SemaphoreSlim(limit, limit);
        Mailbox = mailbox;
    }

    /// <summary>The mailbox this gate is kept under in <see cref="GraphMailboxGates"/>.</summary>
    public string Mailbox { get; }

    /// <summary>Requests holding this gate now (counted by <see cref="GraphMailboxGates"/> under its lock).</summary>
    internal int Leases { get; set; }

    /// <summary>True while a Retry-After the mailbox got is still running.</summary>
    public bool IsHoldingOff => Interlocked.Read(ref _notBeforeTicks) > Now();

    /// <summary>Takes a slot, then waits out the mailbox's back-off when it has no more than <paramref name="maxHeldWait"/>
    /// to run. Returns whether the slot was taken and the back-off left: waited when taken, too long to wait when not
    /// (the slot is then free again).</summary>
    /// <param name="sleptUntil">The back-off end (from <see cref="HoldOff"/>) this caller already slept through itself:
    /// only a later one, set by another request meanwhile, is waited for.</param>
    /// <param name="slots">How many of the mailbox's requests this one is: a JSON batch whose requests the server runs
    /// side by side takes as many slots as it may run at once.</param>
    public async Task<(bool Entered, TimeSpan HeldOff)> EnterAsync(Func<TimeSpan, CancellationToken, Task> delay, long sleptUntil,
        TimeSpan maxHeldWait, CancellationToken cancellationToken, int slots = 1)
    {
        await TakeAsync(slots, cancellationToken).ConfigureAwait(false);
        try
        {
            var notBefore = Interlocked.Read(ref _notBeforeTicks);
            var left = TimeSpan.FromTicks(notBefore - Now());
            if (left <= TimeSpan.Zero || notBefore <= sleptUntil)
            {
                return (true, TimeSpan.Zero);
            }

            if (left > maxHeldWait)
            {
                // Sleeping here would hold the worker: the caller fails with the back-off and the engine parks the mailbox.
                _slots.Release(slots);
                return (false, left);
            }

            await delay(left, cancellationToken).ConfigureAwait(false);
            return (true, left);
        }
        catch
        {
            _slots.Release(slots);
            throw;
        }
    }

    public void Exit(int slots = 1) => _slots.Release(slots);

    private async Task TakeAsync(int slots, CancellationToken cancellationToken)
    {
        if (slots == 1)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await _severalSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var taken = 0;
        try
        {
            for (; taken < slots; taken++)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (taken > 0)
            {
                _slots.Release(taken);
            }

            throw;
        }
        finally
        {
            _severalSlots.Release();
        }
    }

    /// <summary>No request for this mailbox before <paramref name="wait"/> from now (a later end already set stays);
    /// returns the end, for the caller's own <see cref="EnterAsync"/> after it slept that long.</summary>
    public long HoldOff(TimeSpan wait)
    {
        var until = Now() + wait.Ticks;
        long seen;
        while ((seen = Interlocked.Read(ref _notBeforeTicks)) < until
               && Interlocked.CompareExchange(ref _notBeforeTicks, until, seen) != seen)
        {
        }

        return until;
    }

    // Monotonic time in TimeSpan ticks: a back-off's end compares with a wait directly, whatever the wall clock does.
    private static long Now() => (long)(Stopwatch.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
}
