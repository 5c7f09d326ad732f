using System;

namespace InboxPS.Core;

/// <summary>
/// How a protocol client retries transient faults. A server's back-off (BackOffMilliseconds, Retry-After) is honoured
/// exactly, plus a small jitter that is only ever added; other transient faults back off exponentially with jitter.
/// Attempts and the total time spent waiting are both bounded: past either bound the last error is thrown, so the
/// caller can park the mailbox instead of blocking a worker. A server back-off longer than <see cref="MaxHeldWait"/> is
/// never slept out by the call: its error (with the back-off) goes straight to the engine, which parks the mailbox
/// until it ends.
/// </summary>
public abstract class RetryPolicy
{
    private int _maxAttempts = 6;
    private TimeSpan _maxTotalDelay = TimeSpan.FromMinutes(10);
    private TimeSpan _baseDelay = TimeSpan.FromSeconds(1);
    private TimeSpan _fullServerDelay = TimeSpan.FromMilliseconds(100);
    private TimeSpan _maxDelay = TimeSpan.FromSeconds(60);
    private TimeSpan _maxHeldWait = TimeSpan.FromSeconds(2);

    /// <summary>Requests per call, the first included; 1 turns retrying off.</summary>
    public int MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one attempt is needed.");
    }

    /// <summary>The most one call may spend waiting between attempts, server back-offs included.</summary>
    public TimeSpan MaxTotalDelay
    {
        get => _maxTotalDelay;
        set => _maxTotalDelay = InRange(value);
    }

    /// <summary>The first exponential back-off; it doubles per attempt up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay
    {
        get => _baseDelay;
        set => _baseDelay = InRange(value);
    }

    /// <summary>The first back-off after an HTTP 503 that says nothing of how long (a full front end); it doubles per
    /// attempt as <see cref="BaseDelay"/> does. Short, because the request queues again behind the concurrency gate,
    /// which the 503 has just cut: room comes within a call's time, and a second's sleep would only idle the mailbox.</summary>
    public TimeSpan FullServerDelay
    {
        get => _fullServerDelay;
        set => _fullServerDelay = InRange(value);
    }

    /// <summary>The cap on one exponential back-off. A server's own back-off is not capped by it (only by MaxTotalDelay).</summary>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        set => _maxDelay = InRange(value);
    }

    /// <summary>The longest wait a call sleeps itself (holding its worker). A longer server back-off ends the call with
    /// the server's error; exponential back-offs are capped at it.</summary>
    public TimeSpan MaxHeldWait
    {
        get => _maxHeldWait;
        set => _maxHeldWait = InRange(value);
    }

    // Waits are Task.Delay calls, which take at most int.MaxValue milliseconds (about 24 days).
    private static TimeSpan InRange(TimeSpan value) =>
        value >= TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay must be between zero and 24 days.");
}
