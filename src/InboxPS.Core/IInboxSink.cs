namespace InboxPS.Core;

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
