using System;

namespace InboxPS.Core;

/// <summary>
/// The waits of one call's retries under a <see cref="RetryPolicy"/> (EWS and Graph alike). A server's own back-off is honoured exactly,
/// plus a jitter that is only added; otherwise the wait grows exponentially with jitter. Null means: give up.
/// </summary>
internal sealed class RetrySchedule
{
    private static readonly TimeSpan s_maxServerJitter = TimeSpan.FromMilliseconds(250);
    private static readonly object s_randomLock = new();
    private static readonly Random s_random = new();

    private readonly RetryPolicy _policy;
    private int _attempts = 1;
    private TimeSpan _waited;

    public RetrySchedule(RetryPolicy policy)
    {
        _policy = policy;
    }

    /// <summary>How long to wait before the next attempt after <paramref name="failure"/>, or null when attempts or the
    /// total wait would run out.</summary>
    /// <param name="serverFull">The failure was an HTTP 503: the exponential back-off starts at
    /// <see cref="RetryPolicy.FullServerDelay"/>.</param>
    public TimeSpan? Next(InboxException failure, bool serverFull = false)
    {
        if (_attempts >= _policy.MaxAttempts)
        {
            return null;
        }

        // A zero back-off ("Suggested backoff time 0 ms") is no hint; back off as for any other transient fault. A long
        // one is not slept here: the engine parks the mailbox until it ends and the worker goes on with another.
        TimeSpan delay;
        if (failure.BackOff is { } asked && asked > TimeSpan.Zero)
        {
            if (asked > _policy.MaxHeldWait)
            {
                return null;
            }

            delay = asked + ServerJitter(asked);
        }
        else
        {
            delay = Exponential(_attempts, serverFull ? _policy.FullServerDelay : _policy.BaseDelay);
        }

        if (_waited + delay > _policy.MaxTotalDelay)
        {
            return null;
        }

        _attempts++;
        _waited += delay;
        return delay;
    }

    // Up to 10% of the back-off and never more than 250 ms: enough to spread workers that were throttled together.
    private static TimeSpan ServerJitter(TimeSpan asked) =>
        TimeSpan.FromTicks((long)(Math.Min(asked.Ticks / 10, s_maxServerJitter.Ticks) * NextDouble()));

    // "Equal jitter": half of the exponential step is fixed and half random, so a wait never collapses to nothing.
    private TimeSpan Exponential(int failedAttempts, TimeSpan first)
    {
        var step = Math.Min(Math.Min(_policy.MaxDelay.Ticks, _policy.MaxHeldWait.Ticks), first.Ticks * Math.Pow(2, failedAttempts - 1));
        return TimeSpan.FromTicks((long)(step / 2 + step / 2 * NextDouble()));
    }

    private static double NextDouble()
    {
        lock (s_randomLock)
        {
            return s_random.NextDouble();
        }
    }
}
