using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using InboxPS.Core.Sync;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

/// <summary>
/// One writer at a time for a store file, and the writes queued behind it committed together: a write that finds
/// nobody writing leads, takes every write waiting at that moment and commits them in one transaction; when it is done,
/// the oldest write that queued meanwhile leads the next batch. Parallel sync workers make about nine small
/// transactions a mailbox; one at a time, each paid its own connection, BEGIN and COMMIT while the others waited. A
/// write that finds nobody writing is led at once, alone, as before. Waiting never spins (dozens of workers on two
/// cores burnt the CPU the leader needed), and a write no batch took within its bound gives up.
/// </summary>
internal sealed class GroupCommit
{
    // Every sync worker's write at once, and no more: the first of a batch waits for all of them.
    internal const int MaxBatch = 64;

    private readonly object _lock = new();
    private readonly List<PendingWrite> _queued = new();
    private bool _leading;

    /// <summary>Writes waiting for a batch to take them.</summary>
    public int Queued
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count;
            }
        }
    }

    /// <summary>
    /// Returns once the batch that took <paramref name="write"/> is done (<paramref name="commit"/> committed it, or
    /// recorded why not: <see cref="PendingWrite.Fail"/>, thrown here), or throws <paramref name="timedOut"/> when no
    /// batch took it within its bound.
    /// </summary>
    internal void Run(PendingWrite write, Action<IReadOnlyList<PendingWrite>> commit, Func<Exception> timedOut)
    {
        lock (_lock)
        {
            _queued.Add(write);
            write.Leads = !_leading;
            _leading = true;
        }

        if (!write.Leads && !write.AwaitTurn(this))
        {
            throw timedOut();
        }

        if (write.Leads)
        {
            Lead(commit);
        }

        write.ThrowIfFailed();
    }

    private void Lead(Action<IReadOnlyList<PendingWrite>> commit)
    {
        List<PendingWrite> batch;
        lock (_lock)
        {
            // The leader is the oldest write queued: it is always in its own batch.
            var count = Math.Min(MaxBatch, _queued.Count);
            batch = _queued.GetRange(0, count);
            _queued.RemoveRange(0, count);
        }

        try
        {
            commit(batch);
        }
        catch (Exception e)
        {
            // Nothing of the batch is known to be stored.
            foreach (var write in batch)
            {
                write.Fail(e);
            }
        }
        finally
        {
            PendingWrite? next = null;
            lock (_lock)
            {
                if (_queued.Count > 0)
                {
                    next = _queued[0];
                    next.Leads = true;
                }
                else
                {
                    _leading = false;
                }
            }

            foreach (var write in batch)
            {
                write.Wake();
            }

            next?.Wake();
        }
    }

    /// <summary>Takes a write that gave up waiting out of the queue; false when a batch has it already, or it leads.</summary>
    internal bool TryWithdraw(PendingWrite write)
    {
        lock (_lock)
        {
            return !write.Leads && _queued.Remove(write);
        }
    }
}

/// <summary>One caller's write for <see cref="GroupCommit"/>: its work, the claim it writes under, and its outcome.</summary>
internal sealed class PendingWrite
{
    private readonly object _signal = new();
    private readonly Stopwatch _waited = Stopwatch.StartNew();
    private readonly TimeSpan _bound;
    private ExceptionDispatchInfo? _failure;
    private bool _woken;

    public PendingWrite(Action<SqliteConnection> work, MailboxClaim? claim, TimeSpan bound)
    {
        Work = work;
        Claim = claim;
        _bound = bound;
    }

    public Action<SqliteConnection> Work { get; }

    /// <summary>The claim the caller writes under (<see cref="ClaimFence"/>), checked in the batch's transaction.</summary>
    public MailboxClaim? Claim { get; }

    /// <summary>What is left of the write's bound on waiting: in the queue and for another process together.</summary>
    public TimeSpan Left => _bound - _waited.Elapsed;

    /// <summary>Set under the queue's lock when this write is to lead the next batch.</summary>
    internal bool Leads { get; set; }

    /// <summary>This write is not stored, and its caller gets <paramref name="error"/> (the first one recorded).</summary>
    public void Fail(Exception error) => _failure ??= ExceptionDispatchInfo.Capture(error);

    internal void ThrowIfFailed() => _failure?.Throw();

    /// <summary>Waits until its batch is done or it is to lead; false when it gave up, past its bound, before either.</summary>
    internal bool AwaitTurn(GroupCommit queue)
    {
        lock (_signal)
        {
            while (!_woken)
            {
                var left = Left;
                if (left > TimeSpan.Zero)
                {
                    Monitor.Wait(_signal, left);
                }
                else if (queue.TryWithdraw(this))
                {
                    return false;
                }
                else
                {
                    // A batch has it, or it is about to lead: the outcome is a moment away, whatever the bound says.
                    Monitor.Wait(_signal);
                }
            }
        }

        return true;
    }

    internal void Wake()
    {
        lock (_signal)
        {
            _woken = true;
            Monitor.Pulse(_signal);
        }
    }
}
