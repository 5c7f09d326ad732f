using System;

namespace InboxPS.Core.Graph;

/// <summary>
/// How a Graph call retries throttling and transient faults: Retry-After is honoured exactly (plus a small jitter that
/// is only added), otherwise the wait doubles from <see cref="BaseDelay"/> up to <see cref="MaxDelay"/>. Attempts and the
/// total wait are both bounded, so a mailbox still throttled afterwards fails and the engine can park it.
/// </summary>
public sealed class GraphRetryPolicy
{
    private int _maxAttempts = 6;
    private TimeSpan _maxTotalDelay = TimeSpan.FromMinutes(10);
    private TimeSpan _baseDelay = TimeSpan.FromSeconds(1);
    private TimeSpan _maxDelay = TimeSpan.FromSeconds(60);

    /// <summary>Requests per call, the first included; 1 turns retrying off.</summary>
    public int MaxAttempts
    {
        get => _maxAttempts;
        set => _maxAttempts = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one attempt is needed.");
    }

    public TimeSpan MaxTotalDelay
    {
        get => _maxTotalDelay;
        set => _maxTotalDelay = Delay(value);
    }

    public TimeSpan BaseDelay
    {
        get => _baseDelay;
        set => _baseDelay = Delay(value);
    }

    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        set => _maxDelay = Delay(value);
    }

    // Task.Delay takes at most int.MaxValue milliseconds.
    private static TimeSpan Delay(TimeSpan value) =>
        value >= TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A delay must be between zero and 24 days.");
}
