using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core;

/// <summary>
/// Requests beyond the <see cref="ConcurrencyLimit"/> wait here, first come first served, instead of meeting a full
/// front end: the server keeps the requests it can take, the client queues the rest. Thread-safe.
/// </summary>
internal sealed class ConcurrencyGate
{
    private readonly object _lock = new();
    private readonly Queue<TaskCompletionSource<long>> _waiting = new();
    private readonly ConcurrencyLimit _limit;

    // How deep admissions may nest on one thread before the rest go to the pool (see Exit).
    private const int MaxInlineDepth = 4;

    [ThreadStatic]
    private static int _admitDepth;

    public ConcurrencyGate(ConcurrencyLimit limit)
    {
        _limit = limit;
    }

    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit.Limit;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _limit.InFlight;
            }
        }
    }

    /// <summary>Waits for room under the limit and counts one more request; the ticket goes back to <see cref="Exit"/>.</summary>
    public Task<long> EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<long> waiter;
        lock (_lock)
        {
            DropCancelled();
            if (_waiting.Count == 0 && _limit.TryEnter(out var ticket))
            {
                return Task.FromResult(ticket);
            }

            // Synchronous continuations on purpose: see Exit.
            waiter = new TaskCompletionSource<long>();
            _waiting.Enqueue(waiter);
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return waiter.Task;
        }

        // A cancelled waiter stays queued; Admit skips it (TrySetResult fails) and gives its turn to the next.
        var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        return waiter.Task.ContinueWith(t =>
        {
            registration.Dispose();
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// A request is done: its verdict moves the limit, and waiting requests are let in. A request let in is sent on this
    /// thread, before its caller goes on: the server's slot is free now, and every millisecond the next request spends
    /// queued for a thread-pool thread (several on a busy client) is a millisecond the slot stays empty. Sending runs only
    /// to the first wait for the network. Nested admissions (a send that fails at once and exits) go to the thread pool
    /// past a few levels, so a run of failures cannot exhaust the stack.
    /// </summary>
    public void Exit(long ticket, RequestVerdict verdict)
    {
        List<(TaskCompletionSource<long> Waiter, long Ticket)> admitted;
        lock (_lock)
        {
            _limit.Exit(ticket, verdict);
            admitted = Admit();
        }

        if (admitted.Count == 0)
        {
            return;
        }

        if (_admitDepth >= MaxInlineDepth)
        {
            ThreadPool.QueueUserWorkItem(_ => Release(admitted));
            return;
        }

        _admitDepth++;
        try
        {
            Release(admitted);
        }
        finally
        {
            _admitDepth--;
        }
    }

    private void Release(List<(TaskCompletionSource<long> Waiter, long Ticket)> admitted)
    {
        foreach (var (waiter, entered) in admitted)
        {
            if (!waiter.TrySetResult(entered))
            {
                // Cancelled between the check and now: its place goes to the next in line.
                Exit(entered, RequestVerdict.Unknown);
            }
        }
    }

    private List<(TaskCompletionSource<long> Waiter, long Ticket)> Admit()
    {
        var admitted = new List<(TaskCompletionSource<long>, long)>();
        while (true)
        {
            DropCancelled();
            if (_waiting.Count == 0 || !_limit.TryEnter(out var ticket))
            {
                break;
            }

            admitted.Add((_waiting.Dequeue(), ticket));
        }

        return admitted;
    }

    private void DropCancelled()
    {
        while (_waiting.Count > 0 && _waiting.Peek().Task.IsCompleted)
        {
            _waiting.Dequeue();
        }
    }
}
