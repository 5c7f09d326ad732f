using System;

namespace InboxPS.Core;

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
