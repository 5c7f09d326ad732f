namespace InboxPS.Core.Sync;

/// <summary>
/// How a worker's run ended, as Get-InboxSyncRun shows it. Running and Interrupted are never written: a run without an
/// end is Running while its worker still shows signs of life (a live claim, or a mailbox finished within its claim
/// time), and Interrupted once it does not (the process was killed, or the machine stopped).
/// </summary>
public static class SyncRunEnd
{
    public const string Completed = "Completed";
    public const string Cancelled = "Cancelled";
    public const string Failed = "Failed";
    public const string Running = "Running";
    public const string Interrupted = "Interrupted";
}
