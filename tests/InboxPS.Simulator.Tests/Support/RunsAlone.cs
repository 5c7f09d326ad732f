namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// Tests that must not overlap others: they set process-wide environment variables, or measure the process's heap.
/// xunit runs this collection on its own, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone
{
}

/// <summary>A fact that only means something on Linux/macOS (POSIX signals); skipped with a reason elsewhere.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Skipped: POSIX signals (SIGTERM) do not exist on Windows.";
        }
    }
}
