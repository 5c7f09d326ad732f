using System;
using System.Threading;

namespace InboxPS.Core;

/// <summary>
/// Requests and throttled time of one caller, whatever the protocol (each mailbox session keeps one and reports it in
/// the user's result). Thread-safe: several calls may share it.
/// </summary>
public sealed class CallMetrics
{
    private int _requests;
    private int _retries;
    private long _throttledTicks;

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
}
