namespace InboxPS.Core.Sync;

/// <summary>How a mailbox's Start-InboxSync ended.</summary>
public enum SyncStatus
{
    Synced,
    Failed,
    Skipped,
    WhatIf,
}
