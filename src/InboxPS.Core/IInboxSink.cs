using System;

namespace InboxPS.Core;

public enum InboxLogLevel
{
    Debug,
    Verbose,
    Information,
    Warning,
}

/// <summary>A snapshot of long-running work, shaped so a front end can draw a progress bar from it.</summary>
public sealed class InboxProgress
{
    public InboxProgress(string activity, string status, int completed, int? total)
    {
        Activity = activity;
        Status = status;
        Completed = completed;
        Total = total;
    }

    public string Activity { get; }
    public string Status { get; }
    public int Completed { get; }

    /// <summary>Null while the total is not known yet (input still streaming in).</summary>
    public int? Total { get; }

    public int? PercentComplete => Total is > 0 ? Math.Min(100, Completed * 100 / Total.Value) : null;
}

/// <summary>
/// The one way the core talks to whoever runs it: progress, log lines and results. The PowerShell layer adapts it to
/// Write-Progress / Write-Verbose / WriteObject on the pipeline thread; tests capture it. Implementations must be
/// thread-safe: the core calls it from worker threads.
/// </summary>
public interface IInboxSink
{
    void Progress(InboxProgress progress);

    void Log(InboxLogLevel level, string message);

    void Result(object result);
}

/// <summary>A sink that drops everything, for callers that only want return values.</summary>
public sealed class NullSink : IInboxSink
{
    public static readonly NullSink Instance = new();

    private NullSink()
    {
    }

    public void Progress(InboxProgress progress)
    {
    }

    public void Log(InboxLogLevel level, string message)
    {
    }

    public void Result(object result)
    {
    }
}
