using System;
using System.Diagnostics;
using System.Threading;

namespace InboxPS.Core;

/// <summary>
/// Requests and throttled time of one caller, whatever the protocol (each mailbox session keeps one and reports it in
/// the user's result), and the server back-off its calls were last told. Thread-safe: several calls may share it.
/// </summary>
public sealed class CallMetrics
{
    private int _requests;
    private int _retries;
    private long _throttledTicks;
    private long _backOffEnd;

    /// <summary>HTTP requests sent, retries and the re-send after a 401 included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests that repeated an earlier one.</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>Time spent waiting on server back-offs and transient-fault delays.</summary>
    public TimeSpan ThrottledFor => TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));

    internal void CountRequest(bool isRetry)
    {
        Interlocked.Increment(ref _requests);
        if (isRetry)
        {
            Interlocked.Increment(ref _retries);
        }
    }

    internal void AddThrottled(TimeSpan delay) => Interlocked.Add(ref _throttledTicks, delay.Ticks);

    /// <summary>What is left of the longest-running server back-off any call of this caller was told; zero when none runs.</summary>
    internal TimeSpan BackOffRemaining
    {
        get
        {
            var left = Interlocked.Read(ref _backOffEnd) - Stopwatch.GetTimestamp();
            return left > 0 ? TimeSpan.FromTicks((long)(left * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))) : TimeSpan.Zero;
        }
    }

    /// <summary>A call was told to back off: calls of this caller running side by side hold back until it ends.</summary>
    internal void BackOffFor(TimeSpan backOff)
    {
        var end = Stopwatch.GetTimestamp() + (long)(backOff.TotalSeconds * Stopwatch.Frequency);
        long seen;
        while ((seen = Interlocked.Read(ref _backOffEnd)) < end && Interlocked.CompareExchange(ref _backOffEnd, end, seen) != seen)
        {
        }
    }
}
