using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// Decides which EWS requests fail and how: first any faults queued through the control API (for one mailbox or any),
/// then a random draw at <see cref="Rate"/> from a generator seeded with the run's seed, plus latency with jitter.
/// Draws happen in arrival order, so a sequential client sees the same faults on every run with one seed.
/// </summary>
internal sealed class FaultInjector
{
    private static readonly FaultKinds[] s_single =
    {
        FaultKinds.Http500, FaultKinds.Http503, FaultKinds.ConnectionReset, FaultKinds.SlowBody, FaultKinds.TruncatedBody,
        FaultKinds.EntityExpansion, FaultKinds.GiantBody, FaultKinds.EndlessBody, FaultKinds.MailboxStoreUnavailable, FaultKinds.TimeoutExpired,
    };

    private readonly object _gate = new();
    private readonly Random _random;
    private readonly List<QueuedFault> _queued = new();
    private double _rate;
    private FaultKinds _kinds;
    private TimeSpan _latency;
    private TimeSpan _jitter;

    public FaultInjector(SimulatorOptions options)
    {
        _random = new Random(options.Seed);
        _rate = options.FaultRate;
        _kinds = options.FaultKinds;
        _latency = options.Latency;
        _jitter = options.LatencyJitter;
        SlowBodyDelay = options.SlowBodyDelay;
    }

    public TimeSpan SlowBodyDelay { get; set; }

    public double Rate
    {
        get { lock (_gate) { return _rate; } }
    }

    public void Configure(double? rate, FaultKinds? kinds, TimeSpan? latency, TimeSpan? jitter, TimeSpan? slowBodyDelay)
    {
        lock (_gate)
        {
            _rate = rate ?? _rate;
            _kinds = kinds ?? _kinds;
            _latency = latency ?? _latency;
            _jitter = jitter ?? _jitter;
            SlowBodyDelay = slowBodyDelay ?? SlowBodyDelay;
        }
    }

    /// <summary>The next <paramref name="count"/> requests (to <paramref name="mailbox"/>, or any when null) get this fault.</summary>
    public void Queue(FaultKinds kind, int count, int? mailbox)
    {
        if (!s_single.Contains(kind))
        {
            throw new ArgumentException("Queue one fault kind at a time.", nameof(kind));
        }

        lock (_gate)
        {
            _queued.Add(new QueuedFault(kind, mailbox) { Remaining = count });
        }
    }

    public void ClearQueued()
    {
        lock (_gate)
        {
            _queued.Clear();
        }
    }

    /// <summary>The fault for this request (None for most) and the latency to add before answering.</summary>
    public (FaultKinds Fault, TimeSpan Delay) Draw(int? mailbox)
    {
        lock (_gate)
        {
            var delay = _latency + (_jitter > TimeSpan.Zero ? TimeSpan.FromTicks((long)(_random.NextDouble() * _jitter.Ticks)) : TimeSpan.Zero);
            var queued = _queued.FirstOrDefault(q => q.Mailbox is null || q.Mailbox == mailbox);
            if (queued is not null)
            {
                if (--queued.Remaining <= 0)
                {
                    _queued.Remove(queued);
                }

                return (queued.Kind, delay);
            }

            var enabled = s_single.Where(k => _kinds.HasFlag(k)).ToArray();
            if (_rate <= 0 || enabled.Length == 0 || _random.NextDouble() >= _rate)
            {
                return (FaultKinds.None, delay);
            }

            return (enabled[_random.Next(enabled.Length)], delay);
        }
    }

    private sealed record QueuedFault(FaultKinds Kind, int? Mailbox)
    {
        public int Remaining { get; set; }
    }
}
