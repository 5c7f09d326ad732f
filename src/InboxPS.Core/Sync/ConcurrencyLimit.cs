using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// How many mailboxes the engine works on at once, found from the server's answers (AIMD, as TCP congestion control):
/// it starts small and doubles while every mailbox goes through untroubled (slow start), then grows by one per round
/// of as many mailboxes as the limit. A mailbox the server pushed back on (HTTP 503, ErrorServerBusy, too many
/// connections: any throttled wait) or a smoothed request latency above twice the best smoothed one cuts the limit to
/// three quarters, once per round, never below one and never above the ceiling (-ThrottleLimit). Thread-safe;
/// deterministic.
/// </summary>
internal sealed class ConcurrencyLimit
{
    /// <summary>The ceiling when the admin gives none: more than a front end usually serves one client.</summary>
    public const int DefaultCeiling = 64;

    private const double Backoff = 0.75;
    private const double LatencyTolerance = 2.0;
    private const double Smoothing = 0.2;
    private const int MinLatencySamples = 8;

    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiting = new();
    private readonly int _ceiling;
    private int _limit;
    private int _inFlight;
    private bool _slowStart = true;
    private int _sinceChange;
    private long _bestTicks;
    private long _smoothedTicks;
    private int _latencySamples;

    public ConcurrencyLimit(int ceiling, int initial = 4)
    {
        if (ceiling < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ceiling), ceiling, "At least one mailbox at a time.");
        }

        _ceiling = ceiling;
        _limit = Math.Max(1, Math.Min(initial, ceiling));
    }

    public int Limit
    {
        get
        {
            lock (_gate)
            {
                return _limit;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Waits until fewer than <see cref="Limit"/> mailboxes are being worked on, and counts one more.</summary>
    public Task EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_gate)
        {
            if (_inFlight < _limit && _waiting.Count == 0)
            {
                _inFlight++;
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return waiter.Task;
        }

        // A cancelled waiter stays queued; the next Exit skips it (TrySetResult fails) and admits the one after.
        var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        return waiter.Task.ContinueWith(t =>
        {
            registration.Dispose();
            return t;
        }, TaskScheduler.Default).Unwrap();
    }

    /// <summary>A mailbox is done: what it met adjusts the limit, and waiting workers are let in.</summary>
    /// <param name="pushedBack">The server throttled or refused a request of this mailbox.</param>
    /// <param name="latency">Its requests' average time, when it sent any.</param>
    public void Exit(bool pushedBack, TimeSpan? latency)
    {
        List<TaskCompletionSource<bool>> admitted;
        lock (_gate)
        {
            _inFlight--;
            Adjust(pushedBack || IsSlow(latency));
            admitted = Admit();
        }

        Release(admitted);
    }

    private List<TaskCompletionSource<bool>> Admit()
    {
        var admitted = new List<TaskCompletionSource<bool>>();
        while (_inFlight < _limit && _waiting.Count > 0)
        {
            var next = _waiting.Dequeue();
            if (!next.Task.IsCompleted)
            {
                _inFlight++;
                admitted.Add(next);
            }
        }

        return admitted;
    }

    private void Release(List<TaskCompletionSource<bool>> admitted)
    {
        foreach (var waiter in admitted)
        {
            if (!waiter.TrySetResult(true))
            {
                // Cancelled between the check and now: its slot goes to the next in line.
                List<TaskCompletionSource<bool>> next;
                lock (_gate)
                {
                    _inFlight--;
                    next = Admit();
                }

                Release(next);
            }
        }
    }

    // Latency smoothed over the last mailboxes (EWMA), against the best smoothed value seen: a queue building up at the
    // server shows here before it answers 503. The baseline is smoothed too, and set only after a few mailboxes: a
    // mailbox's latency carries client-side noise (store writes, a busy core), and the best single one is an outlier
    // that made steady latency look congested (an automatic run measured slower than -ThrottleLimit 16).
    private bool IsSlow(TimeSpan? latency)
    {
        if (latency is not { } observed || observed <= TimeSpan.Zero)
        {
            return false;
        }

        _smoothedTicks = _smoothedTicks == 0 ? observed.Ticks : (long)(_smoothedTicks * (1 - Smoothing) + observed.Ticks * Smoothing);
        if (++_latencySamples < MinLatencySamples)
        {
            return false;
        }

        if (_bestTicks == 0 || _smoothedTicks < _bestTicks)
        {
            _bestTicks = _smoothedTicks;
        }

        return _smoothedTicks > _bestTicks * LatencyTolerance;
    }

    private void Adjust(bool congested)
    {
        _sinceChange++;
        if (congested)
        {
            // Once per round: the mailboxes finishing right after a cut were started before it.
            if (_slowStart || _sinceChange >= _limit)
            {
                _slowStart = false;
                _limit = Math.Max(1, (int)(_limit * Backoff));
                _sinceChange = 0;
            }

            return;
        }

        if (_slowStart)
        {
            _limit = Math.Min(_ceiling, _limit + 1);
            _sinceChange = 0;
        }
        else if (_sinceChange >= _limit)
        {
            _limit = Math.Min(_ceiling, _limit + 1);
            _sinceChange = 0;
        }
    }
}
