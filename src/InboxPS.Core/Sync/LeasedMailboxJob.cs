using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// Runs another job only on mailboxes this worker could claim (<see cref="IMailboxLeases"/>), renewing the claim while
/// the job works and releasing it after; a mailbox another worker has is this worker's Skipped result, saying who has it.
/// It also keeps the worker's run record: started with the first mailbox, finished by <see cref="Finish"/>. A worker
/// that dies leaves its record without an end and its claims to expire.
/// </summary>
public sealed class LeasedMailboxJob : IMailboxJob
{
    /// <summary>How long a claim lasts without renewal: how long a dead worker's mailboxes wait for another worker.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(2);

    public const string WorkerVariable = "INBOXPS_WORKER";

    /// <summary>Seconds a claim lasts without renewal (2 to 3600), when the default two minutes do not suit.</summary>
    public const string LeaseVariable = "INBOXPS_LEASE_SECONDS";

    /// <summary>
    /// Minutes (0 to 1440) after a round's first worker started in which a later worker joins that round and leaves alone
    /// what the others already synced; unset: the store's default (<see cref="IMailboxLeases.DefaultRoundWindow"/>).
    /// </summary>
    public const string RoundVariable = "INBOXPS_ROUND_MINUTES";

    private readonly IMailboxJob _inner;
    private readonly IMailboxLeases _leases;
    private readonly string _organization;
    private readonly string _worker;
    private readonly TimeSpan _duration;
    private readonly IInboxSink _sink;
    private readonly ISyncHistory? _history;
    private readonly SyncRunContext? _context;
    private readonly object _gate = new();
    private readonly SyncRunTotals _totals = new();
    private SyncRun? _run;

    public LeasedMailboxJob(IMailboxJob inner, IMailboxLeases leases, string organization, IInboxSink sink,
        string? worker = null, TimeSpan? leaseDuration = null, ISyncHistory? history = null, SyncRunContext? context = null)
    {
        _history = history;
        _context = context;
        _inner = inner;
        _leases = leases;
        _organization = organization;
        _sink = sink;
        _worker = worker ?? DefaultWorkerName();
        _duration = leaseDuration ?? LeaseFromEnvironment() ?? DefaultLeaseDuration;
    }

    /// <summary>INBOXPS_WORKER when set, else machine/process id: unique among live workers, readable by an admin.</summary>
    public static string DefaultWorkerName()
    {
        var named = Environment.GetEnvironmentVariable(WorkerVariable);
        if (!string.IsNullOrWhiteSpace(named))
        {
            return named!.Trim();
        }

        using var process = Process.GetCurrentProcess();
        return $"{Environment.MachineName}/{process.Id}";
    }

    private static TimeSpan? RoundFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(RoundVariable), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var minutes) && minutes is >= 0 and <= 1440
            ? TimeSpan.FromMinutes(minutes)
            : null;

    private static TimeSpan? LeaseFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(LeaseVariable), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 2 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : null;

    public MailboxOutcome Unresolvable(string record, InboxException error)
    {
        var outcome = _inner.Unresolvable(record, error);
        Count(outcome, skipped: false);
        return outcome;
    }

    public async Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken)
    {
        var run = Run();
        var claim = _leases.TryClaim(run, mailbox.Address, _duration);
        if (!claim.Granted)
        {
            _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: {claim.Describe()}");
            var skipped = new MailboxSyncResult(_organization, mailbox.Address, SyncStatus.Skipped) { Message = claim.Describe() };
            Count(skipped, skipped: true);
            return skipped;
        }

        MailboxOutcome? outcome = null;
        // Renew at a third of the duration, so one late renewal never lets the claim lapse.
        var renewal = new Timer(_ => Renew(claim), null, Third(_duration), Third(_duration));
        try
        {
            using (_leases.FenceWrites(claim))
            {
                outcome = TakenOver(await _inner.RunAsync(mailbox, revisit, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            renewal.Dispose();
            // A mailbox that will be parked (busy or unreachable) is not finished: any worker may take it next, and it
            // is counted when its second visit ends.
            var finished = outcome is not null &&
                           (revisit || outcome.GetError() is not { Fault: SyncFault.Throttled or SyncFault.Unavailable });
            _leases.Release(claim, finished);
            if (finished)
            {
                Count(outcome!, skipped: outcome is MailboxSyncResult { Status: SyncStatus.Skipped });
                Remember(run, outcome!);
            }
        }

        return outcome;
    }

    // A mailbox another worker took over while this one stalled is that worker's now: Skipped here, saying who has it,
    // with what this worker stored before it lost the claim.
    private static MailboxOutcome TakenOver(MailboxOutcome outcome)
    {
        if (outcome is not MailboxSyncResult result || result.GetError() is not { Fault: SyncFault.ClaimLost } lost)
        {
            return outcome;
        }

        return new MailboxSyncResult(result.Organization, result.Mailbox, SyncStatus.Skipped)
        {
            Activated = result.Activated, Folders = result.Folders, ItemsAdded = result.ItemsAdded,
            ItemsUpdated = result.ItemsUpdated, ItemsDeleted = result.ItemsDeleted, ItemsSkipped = result.ItemsSkipped,
            ThrottledFor = result.ThrottledFor, Attempts = result.Attempts, Duration = result.Duration, Message = lost.Message,
        };
    }

    /// <summary>
    /// Ends the run record with its totals (after the engine finished, or was stopped), and how it ended
    /// (<see cref="SyncRunEnd"/>).
    /// </summary>
    public void Finish(string result = SyncRunEnd.Completed)
    {
        SyncRun? run;
        SyncRunTotals totals;
        lock (_gate)
        {
            run = _run;
            totals = new SyncRunTotals
            {
                Users = _totals.Users, Synced = _totals.Synced, Failed = _totals.Failed, Skipped = _totals.Skipped,
                Items = _totals.Items, Throttled = _totals.Throttled, ItemsAdded = _totals.ItemsAdded,
                ItemsUpdated = _totals.ItemsUpdated, ItemsDeleted = _totals.ItemsDeleted, Result = result,
            };
        }

        if (run is not null)
        {
            _leases.FinishRun(run, totals);
        }
    }

    private SyncRun Run()
    {
        lock (_gate)
        {
            if (_run is null)
            {
                _run = _leases.StartRun(_organization, _worker, RoundFromEnvironment());
                if (_context is not null)
                {
                    _history?.DescribeRun(_run, _context, _duration);
                }
            }

            return _run;
        }
    }

    // The mailbox's figures in this run (its statistics' last run and error history); losing them fails nobody.
    private void Remember(SyncRun run, MailboxOutcome outcome)
    {
        if (_history is null || MailboxRunRecord.From(outcome) is not { } record)
        {
            return;
        }

        try
        {
            _history.RecordMailboxRun(run, record, _duration);
        }
        catch (InboxException e) when (!MailboxFailure.StopsRun(e))
        {
            _sink.Log(InboxLogLevel.Warning, $"{record.Mailbox}: this run's figures for the mailbox could not be recorded: {e.Message}");
        }
    }

    private void Renew(MailboxClaim claim)
    {
        try
        {
            if (!_leases.Renew(claim, _duration))
            {
                _sink.Log(InboxLogLevel.Warning,
                    $"{claim.Mailbox}: this worker's claim expired before it could be renewed; if another worker took the mailbox over, this worker stores nothing more for it.");
            }
        }
        catch (InboxException e)
        {
            _sink.Log(InboxLogLevel.Warning, $"{claim.Mailbox}: renewing this worker's claim failed: {e.Message}");
        }
    }

    private void Count(MailboxOutcome outcome, bool skipped)
    {
        lock (_gate)
        {
            _totals.Users++;
            if (skipped)
            {
                _totals.Skipped++;
            }
            else if (outcome.GetError() is not null)
            {
                _totals.Failed++;
            }
            else
            {
                _totals.Synced++;
            }

            if (outcome is MailboxSyncResult result)
            {
                _totals.Items += result.ItemsAdded + result.ItemsUpdated + result.ItemsDeleted;
                _totals.ItemsAdded += result.ItemsAdded;
                _totals.ItemsUpdated += result.ItemsUpdated;
                _totals.ItemsDeleted += result.ItemsDeleted;
            }

            _totals.Throttled += outcome.ThrottledTime;
        }
    }

    private static TimeSpan Third(TimeSpan duration) => TimeSpan.FromTicks(Math.Max(duration.Ticks / 3, TimeSpan.TicksPerMillisecond * 100));
}
