using System;
using System.Threading;

namespace InboxPS.Core.Graph;

/// <summary>Requests and throttled time of one caller (a mailbox session); thread-safe.</summary>
public sealed class GraphCallMetrics
{
    private int _requests;
    private int _retries;
    private long _throttledTicks;

    /// <summary>HTTP requests sent, retries and the re-send after a 401 included.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public int Retries => Volatile.Read(ref _retries);

    /// <summary>Time spent waiting on Retry-After and transient-fault back-offs.</summary>
    public TimeSpan ThrottledFor => TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));

    internal void CountRequest(bool isRetry)
    {
        Interlocked.Increment(ref _requests);
        if (isRetry)
        {
            Interlocked.Increment(ref _retries);
        }
    }

    internal void AddThrottled(TimeSpan wait) => Interlocked.Add(ref _throttledTicks, wait.Ticks);
}
