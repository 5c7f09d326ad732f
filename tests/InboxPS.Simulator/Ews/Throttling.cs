using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews;

internal enum AdmissionKind
{
    Admitted,

    /// <summary>EWSMaxConcurrency for the target mailbox exceeded: ErrorExceededConnectionCount.</summary>
    ConnectionCountExceeded,

    /// <summary>ConcurrentSyncCalls exceeded: ErrorServerBusy in a response message, and a back-off.</summary>
    SyncCallsExceeded,

    /// <summary>
    /// The mailbox is backing off and the request came right after the busy answer, so it was most likely sent before
    /// the client could know: answered busy like its sibling, not counted.
    /// </summary>
    BackingOff,

    /// <summary>The mailbox is backing off and the caller came back too early: counted and penalised.</summary>
    Violation,

    /// <summary>A mailbox throttled hard (control API or the broken throttled@ user): ErrorServerBusy fault.</summary>
    ThrottledHard,

    /// <summary>The mailbox's time budget is in debt: ErrorServerBusy fault with the time it needs to recharge.</summary>
    BudgetExhausted,
}

/// <summary>The verdict on one request; <paramref name="SyncCallsCause"/> says the back-off came from ConcurrentSyncCalls.</summary>
internal readonly record struct Admission(AdmissionKind Kind, long BackOffMilliseconds, bool SyncCallsCause = false);

/// <summary>
/// Exchange's per-target-mailbox budgets: impersonated calls are charged to the mailbox they act on (EWSMaxConcurrency,
/// ConcurrentSyncCalls, and a time budget that bursts to EwsMaxBurst, recharges at EwsRechargeRate per hour and can run
/// into debt down to EwsCutoffBalance), and a mailbox told to back off stays off limits until the back-off ends. Coming
/// back early restarts the back-off, so a client that hammers is never served.
/// </summary>
internal sealed class Throttling
{
    private readonly ConcurrentDictionary<int, Budget> _budgets = new();
    private long _backOffMs;
    private long _graceMs;

    public Throttling(SimulatorOptions options)
    {
        MaxConcurrency = options.MaxConcurrencyPerMailbox;
        MaxSyncCalls = options.MaxConcurrentSyncCallsPerMailbox;
        ServerCapacity = options.ServerCapacity;
        BackOff = options.BackOff;
        BackOffGrace = options.BackOffGrace;
        MaxBurst = options.EwsMaxBurst;
        RechargeRate = options.EwsRechargeRate;
        CutoffBalance = options.EwsCutoffBalance;
        MaxBudgetBackOff = options.MaxBudgetBackOff;
    }

    public TimeSpan MaxBurst { get; set; }

    /// <summary>Server time regained per hour.</summary>
    public TimeSpan RechargeRate { get; set; }

    public TimeSpan CutoffBalance { get; set; }

    public TimeSpan MaxBudgetBackOff { get; set; }

    public int MaxConcurrency { get; set; }

    public int MaxSyncCalls { get; set; }

    public int ServerCapacity { get; set; }

    public TimeSpan BackOff
    {
        get => TimeSpan.FromMilliseconds(Interlocked.Read(ref _backOffMs));
        set => Interlocked.Exchange(ref _backOffMs, (long)value.TotalMilliseconds);
    }

    public TimeSpan BackOffGrace
    {
        get => TimeSpan.FromMilliseconds(Interlocked.Read(ref _graceMs));
        set => Interlocked.Exchange(ref _graceMs, (long)value.TotalMilliseconds);
    }

    public Admission Admit(int mailbox, bool isSync, MailboxFlags flags)
    {
        var budget = _budgets.GetOrAdd(mailbox, _ => new Budget());
        var now = Environment.TickCount64;
        var backOff = Interlocked.Read(ref _backOffMs);
        lock (budget)
        {
            if (now < budget.BackOffUntil)
            {
                if (now - budget.BackOffIssued < Interlocked.Read(ref _graceMs))
                {
                    return new Admission(AdmissionKind.BackingOff, budget.BackOffUntil - now, budget.SyncCallsCause && isSync);
                }

                budget.BackOffUntil = now + backOff;
                return new Admission(AdmissionKind.Violation, backOff);
            }

            if (Volatile.Read(ref flags.BusyCallsRemaining) > 0 && Interlocked.Decrement(ref flags.BusyCallsRemaining) >= 0)
            {
                var hard = flags.BusyBackOff > TimeSpan.Zero ? (long)flags.BusyBackOff.TotalMilliseconds : backOff;
                budget.StartBackOff(now, hard, syncCalls: false);
                return new Admission(AdmissionKind.ThrottledHard, hard);
            }

            if (Recharge(budget, now) < 0)
            {
                // In debt: back off until the budget has recharged to zero (at least a second, at most MaxBudgetBackOff).
                var untilZero = (long)Math.Ceiling(-budget.Balance / RechargeRate.TotalMilliseconds * 3_600_000);
                var wait = Math.Clamp(untilZero, 1000, Math.Max(1000, (long)MaxBudgetBackOff.TotalMilliseconds));
                budget.StartBackOff(now, wait, syncCalls: false);
                return new Admission(AdmissionKind.BudgetExhausted, wait);
            }

            if (budget.InFlight >= MaxConcurrency)
            {
                return new Admission(AdmissionKind.ConnectionCountExceeded, 0);
            }

            if (isSync && budget.SyncInFlight >= MaxSyncCalls)
            {
                budget.StartBackOff(now, backOff, syncCalls: true);
                return new Admission(AdmissionKind.SyncCallsExceeded, backOff, true);
            }

            budget.InFlight++;
            budget.Peak = Math.Max(budget.Peak, budget.InFlight);
            if (isSync)
            {
                budget.SyncInFlight++;
                budget.PeakSync = Math.Max(budget.PeakSync, budget.SyncInFlight);
            }

            return new Admission(AdmissionKind.Admitted, 0);
        }
    }

    /// <summary>The call is done: its slots are freed and <paramref name="spent"/> (its server time) is charged to the budget.</summary>
    public void Release(int mailbox, bool isSync, TimeSpan spent)
    {
        var budget = _budgets[mailbox];
        lock (budget)
        {
            Recharge(budget, Environment.TickCount64);
            budget.Balance = Math.Max(-CutoffBalance.TotalMilliseconds, budget.Balance - spent.TotalMilliseconds);
            budget.InFlight--;
            if (isSync)
            {
                budget.SyncInFlight--;
            }
        }
    }

    /// <summary>Ends any back-off in force and refills every time budget (the control API's "forgive" switch, used between test phases).</summary>
    public void ClearBackOffs()
    {
        foreach (var budget in _budgets.Values)
        {
            lock (budget)
            {
                budget.BackOffUntil = 0;
                budget.RechargedAt = 0;
            }
        }
    }

    /// <summary>The mailbox's budget balance now, in milliseconds of server time (negative: in debt).</summary>
    public double Balance(int mailbox)
    {
        var budget = _budgets.GetOrAdd(mailbox, _ => new Budget());
        lock (budget)
        {
            return Recharge(budget, Environment.TickCount64);
        }
    }

    /// <summary>Brings the balance up to date (a budget not seen yet starts full) and returns it; call under the budget's lock.</summary>
    private double Recharge(Budget budget, long now)
    {
        var burst = MaxBurst.TotalMilliseconds;
        if (budget.RechargedAt == 0)
        {
            budget.Balance = burst;
        }
        else if (budget.Balance < burst)
        {
            budget.Balance = Math.Min(burst, budget.Balance + (now - budget.RechargedAt) * RechargeRate.TotalMilliseconds / 3_600_000);
        }

        budget.RechargedAt = Math.Max(1, now);
        return budget.Balance;
    }

    public IReadOnlyList<(int Mailbox, int Peak, int PeakSync)> Peaks() =>
        _budgets.Select(p => (p.Key, p.Value.Peak, p.Value.PeakSync)).Where(p => p.Peak > 0).ToList();

    public void ResetPeaks()
    {
        foreach (var budget in _budgets.Values)
        {
            lock (budget)
            {
                budget.Peak = budget.InFlight;
                budget.PeakSync = budget.SyncInFlight;
            }
        }
    }

    private sealed class Budget
    {
        public int InFlight;
        public int SyncInFlight;
        public int Peak;
        public int PeakSync;
        public long BackOffUntil;
        public long BackOffIssued;
        public bool SyncCallsCause;
        public double Balance;
        public long RechargedAt;

        public void StartBackOff(long now, long backOffMs, bool syncCalls)
        {
            BackOffIssued = now;
            BackOffUntil = now + backOffMs;
            SyncCallsCause = syncCalls;
        }
    }
}
