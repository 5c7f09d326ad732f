using System;

namespace InboxPS.Core.Sync;

/// <summary>
/// What one mailbox came to in a run: exactly one per distinct mailbox, whatever the job. The scheduler reads the
/// failure from here (<see cref="GetError"/>) instead of re-classifying each result type; the derived types are what the
/// cmdlets write.
/// </summary>
public abstract class MailboxOutcome
{
    private InboxException? _error;

    // Only this assembly's jobs produce outcomes.
    private protected MailboxOutcome()
    {
    }

    // The public properties are abstract so that each derived type declares them itself, in its own order: that order is
    // the column order of Export-Csv and the property list admins already know.
    public abstract string Organization { get; }

    public abstract string Mailbox { get; }

    public abstract TimeSpan Duration { get; set; }

    public abstract string? ErrorId { get; set; }

    public abstract string? Message { get; set; }

    public abstract string? RecommendedAction { get; set; }

    /// <summary>The failure behind this outcome, for the cmdlet's ErrorRecord; null when the mailbox did not fail.</summary>
    public InboxException? GetError() => _error;

    /// <summary>Time the protocol waited out for this mailbox because the server throttled it (for progress).</summary>
    internal virtual TimeSpan ThrottledTime => TimeSpan.Zero;

    /// <summary>Requests sent for this mailbox (for the engine's latency signal); zero when unknown.</summary>
    internal virtual int Requests => 0;

    /// <summary>Records <paramref name="error"/> as this mailbox's outcome.</summary>
    internal void Fail(InboxException error, TimeSpan duration)
    {
        _error = error;
        ErrorId = error.ErrorId;
        Message = error.Message;
        RecommendedAction = error.RecommendedAction;
        Duration = duration;
        OnFailed();
    }

    /// <summary>Sets the derived type's own failure flag (Status, CanImpersonate).</summary>
    private protected abstract void OnFailed();
}
