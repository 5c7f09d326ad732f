using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace InboxPS.Simulator;

/// <summary>
/// The calls a front end (EWS's or Graph's) is working on, for its capacity and its busy time. A call holds its place
/// from its arrival until its service time (<see cref="ServiceTimeModel"/>) has passed, or its answer was built if
/// that took longer: not until this process gets round to the call again. On a machine shared with the client that came
/// about 3 ms late on a 24 ms call (timer and thread-pool latency), so counting it made the server about a tenth smaller
/// than its model, which the bench's limit assumes.
/// </summary>
internal sealed class FrontEnd
{
    private readonly object _lock = new();
    private readonly HashSet<FrontEndCall> _calls = new();
    private int _peak;

    /// <summary>The most calls it worked on at once since the last <see cref="ResetPeak"/>.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>A call arrived: its place, with the calls being worked on at that moment, itself included.</summary>
    public FrontEndCall Enter()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            var entered = new FrontEndCall(this, now, Working(now) + 1);
            _calls.Add(entered);
            _peak = Math.Max(_peak, entered.Working);
            return entered;
        }
    }

    public void ResetPeak()
    {
        lock (_lock)
        {
            _peak = Working(Stopwatch.GetTimestamp());
        }
    }

    // Under the lock.
    private int Working(long now)
    {
        var working = 0;
        foreach (var call in _calls)
        {
            if (!call.ServedBy(now))
            {
                working++;
            }
        }

        return working;
    }

    internal void Leave(FrontEndCall call)
    {
        lock (_lock)
        {
            _calls.Remove(call);
        }
    }
}

/// <summary>One call's place in a <see cref="FrontEnd"/>.</summary>
internal sealed class FrontEndCall
{
    // The call a Graph request's handler runs for: a $batch's items are calls of their own, deep in the dispatch.
    private static readonly AsyncLocal<FrontEndCall?> s_current = new();

    private readonly FrontEnd _frontEnd;
    private long _servedAt;
    private int _left;

    internal FrontEndCall(FrontEnd frontEnd, long arrived, int working)
    {
        _frontEnd = frontEnd;
        Arrived = arrived;
        Working = working;
    }

    /// <summary>The call the current flow of work serves (set by <see cref="MakeCurrent"/>), if any.</summary>
    public static FrontEndCall? Current => s_current.Value;

    public void MakeCurrent() => s_current.Value = this;

    /// <summary>When it arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Arrived { get; }

    /// <summary>Calls the front end was working on when this one arrived, itself included.</summary>
    public int Working { get; }

    /// <summary>
    /// Its work ends at <paramref name="at"/> (a <see cref="Stopwatch"/> timestamp; the time its service time passes),
    /// or when its answer is built, if that is later.
    /// </summary>
    public void ServedAt(long at) => Volatile.Write(ref _servedAt, at);

    internal bool ServedBy(long now)
    {
        var at = Volatile.Read(ref _servedAt);
        return at != 0 && at <= now;
    }

    /// <summary>Leaves the front end (once); returns how long it kept the front end busy.</summary>
    public TimeSpan Leave()
    {
        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _left, 1) != 0)
        {
            return TimeSpan.Zero;
        }

        _frontEnd.Leave(this);
        var at = Volatile.Read(ref _servedAt);
        var end = at != 0 && at < now ? at : now;
        return Stopwatch.GetElapsedTime(Arrived, end);
    }
}
