using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Graph;

/// <summary>Why a Graph request was refused before it ran (null cause: admitted).</summary>
internal readonly record struct GraphAdmission(GraphError? Refusal, string? Cause, bool Violation);

/// <summary>
/// Outlook's limits per app per mailbox (throttling-limits: 4 concurrent requests, 10,000 requests per 10 minutes) and the
/// Retry-After bookkeeping behind them. One ledger entry per (app, mailbox) holds everything the verdict needs (in flight,
/// peak, the request window, the Retry-After deadline), so a time-budget model (issue 15) replaces Admit's rules in one
/// place without touching the endpoint.
/// </summary>
internal sealed class GraphThrottling
{
    private readonly ConcurrentDictionary<(string App, int Mailbox), Ledger> _ledgers = new();
    private readonly Throttling _ews;

    /// <summary><paramref name="ews"/> lends its back-off grace: one rule for "sent before the client could know" on both protocols.</summary>
    public GraphThrottling(SimulatorOptions options, Throttling ews)
    {
        _ews = ews;
        MaxConcurrency = options.GraphMaxConcurrencyPerMailbox;
        RequestsPerWindow = options.GraphRequestsPerWindow;
        Window = TimeSpan.FromMinutes(10);
        RetryAfter = options.GraphRetryAfter;
    }

    public int MaxConcurrency { get; set; }

    public int RequestsPerWindow { get; set; }

    public TimeSpan Window { get; set; }

    public TimeSpan RetryAfter { get; set; }

    public GraphAdmission Admit(string app, int mailbox, MailboxFlags flags)
    {
        var ledger = _ledgers.GetOrAdd((app.ToLowerInvariant(), mailbox), _ => new Ledger());
        var now = Environment.TickCount64;
        var retryAfter = RetryAfter;
        lock (ledger)
        {
            if (now < ledger.RetryUntil)
            {
                // A request this soon after the 429 was most likely sent before the client saw it: refused, not counted.
                var early = now - ledger.RetryIssued >= (long)_ews.BackOffGrace.TotalMilliseconds;
                if (early)
                {
                    // Coming back before Retry-After ran out restarts it, so a client that hammers is never served.
                    ledger.RetryUntil = now + (long)retryAfter.TotalMilliseconds;
                }

                return new GraphAdmission(GraphError.MailboxConcurrency(TimeSpan.FromMilliseconds(ledger.RetryUntil - now)),
                    early ? "RetryAfterViolation" : "RetryAfter", early);
            }

            if (Volatile.Read(ref flags.BusyCallsRemaining) > 0 && Interlocked.Decrement(ref flags.BusyCallsRemaining) >= 0)
            {
                var hard = flags.BusyBackOff > TimeSpan.Zero ? flags.BusyBackOff : retryAfter;
                ledger.Start(now, hard);
                return new GraphAdmission(GraphError.MailboxConcurrency(hard), "ThrottledMailbox", false);
            }

            while (ledger.Window.Count > 0 && now - ledger.Window.Peek() >= (long)Window.TotalMilliseconds)
            {
                ledger.Window.Dequeue();
            }

            if (ledger.Window.Count >= RequestsPerWindow)
            {
                var wait = TimeSpan.FromMilliseconds(ledger.Window.Peek() + (long)Window.TotalMilliseconds - now);
                ledger.Start(now, wait);
                return new GraphAdmission(GraphError.RequestLimit(wait), "MailboxRequests", false);
            }

            if (ledger.InFlight >= MaxConcurrency)
            {
                ledger.Start(now, retryAfter);
                return new GraphAdmission(GraphError.MailboxConcurrency(retryAfter), "MailboxConcurrency", false);
            }

            ledger.Window.Enqueue(now);
            ledger.InFlight++;
            ledger.Peak = Math.Max(ledger.Peak, ledger.InFlight);
            return default;
        }
    }

    public void Release(string app, int mailbox)
    {
        var ledger = _ledgers[(app.ToLowerInvariant(), mailbox)];
        lock (ledger)
        {
            ledger.InFlight--;
        }
    }

    public void ClearRetryAfters()
    {
        foreach (var ledger in _ledgers.Values)
        {
            lock (ledger)
            {
                ledger.RetryUntil = 0;
                ledger.Window.Clear();
            }
        }
    }

    /// <summary>Peak concurrency per mailbox (over all apps' ledgers for it).</summary>
    public IReadOnlyList<(int Mailbox, int Peak)> Peaks() =>
        _ledgers.GroupBy(p => p.Key.Mailbox).Select(g => (g.Key, g.Max(p => p.Value.Peak))).Where(p => p.Item2 > 0).ToList();

    public void ResetPeaks()
    {
        foreach (var ledger in _ledgers.Values)
        {
            lock (ledger)
            {
                ledger.Peak = ledger.InFlight;
            }
        }
    }

    private sealed class Ledger
    {
        public int InFlight;
        public int Peak;
        public long RetryUntil;
        public long RetryIssued;
        public readonly Queue<long> Window = new();

        public void Start(long now, TimeSpan retryAfter)
        {
            RetryIssued = now;
            RetryUntil = now + (long)retryAfter.TotalMilliseconds;
        }
    }
}
