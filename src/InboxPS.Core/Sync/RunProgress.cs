using System;
using System.Diagnostics;
using System.Threading;

namespace InboxPS.Core.Sync;

/// <summary>
/// The run's counters and its progress line, reported at most every 250 ms from whichever worker finishes a mailbox.
/// The activity is the cmdlet that runs, so Test-InboxImpersonation's bar does not say Start-InboxSync.
/// </summary>
internal sealed class RunProgress
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(250);

    private readonly string _activity;
    private readonly IInboxSink _sink;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _received;
    private int _completed;
    private int _failed;
    private long _throttledTicks;
    private bool _inputComplete;
    private long _lastReportTicks;
    private int _parked;
    private long _nextDueTicks;

    public RunProgress(string activity, IInboxSink sink)
    {
        _activity = activity;
        _sink = sink;
    }

    /// <summary>Time since the run started: the clock parked mailboxes are due by.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Received() => Interlocked.Increment(ref _received);

    /// <summary>From now on the total is known and shown.</summary>
    public void InputComplete() => Volatile.Write(ref _inputComplete, true);

    /// <summary>Mailboxes waiting for a back-off to end, and when the first of them comes back (run time).</summary>
    public void Parked(int count, TimeSpan? nextDue)
    {
        Interlocked.Exchange(ref _nextDueTicks, nextDue?.Ticks ?? 0);
        var before = Interlocked.Exchange(ref _parked, count);

        // The first mailbox parked shows at once; later changes ride on the regular reports.
        Report(force: before == 0 && count > 0);
    }

    public void Completed(MailboxOutcome outcome)
    {
        Interlocked.Increment(ref _completed);
        if (outcome.GetError() is not null)
        {
            Interlocked.Increment(ref _failed);
        }

        Interlocked.Add(ref _throttledTicks, outcome.ThrottledTime.Ticks);
        Report(force: false);
    }

    public void Report(bool force)
    {
        var now = _clock.Elapsed.Ticks;
        var last = Interlocked.Read(ref _lastReportTicks);
        if (!force && (now - last < s_interval.Ticks || Interlocked.CompareExchange(ref _lastReportTicks, now, last) != last))
        {
            return;
        }

        var completed = Volatile.Read(ref _completed);
        int? total = Volatile.Read(ref _inputComplete) ? Volatile.Read(ref _received) : null;
        var minutes = Math.Max(_clock.Elapsed.TotalMinutes, 1.0 / 60);
        var throttled = TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));
        var status = $"{completed}{(total is { } t ? "/" + t : string.Empty)} mailboxes done, {Volatile.Read(ref _failed)} failed, " +
                     $"{completed / minutes:0.#}/min, throttled {throttled.TotalSeconds:0}s" + ParkedStatus(now);
        _sink.Progress(new InboxProgress(_activity, status, completed, total));
    }

    private string ParkedStatus(long now)
    {
        var parked = Volatile.Read(ref _parked);
        if (parked == 0)
        {
            return string.Empty;
        }

        var wait = TimeSpan.FromTicks(Math.Max(0, Interlocked.Read(ref _nextDueTicks) - now));
        return $", {parked} parked (next back in {wait.TotalSeconds:0}s)";
    }
}
