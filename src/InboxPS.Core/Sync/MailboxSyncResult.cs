using System;

namespace InboxPS.Core.Sync;

public enum SyncStatus
{
    Synced,
    Failed,
    Skipped,
    WhatIf,
}

/// <summary>One user's outcome of Start-InboxSync (or Test-InboxImpersonation): exactly one per distinct mailbox.</summary>
public sealed class MailboxSyncResult
{
    public MailboxSyncResult(string organization, string mailbox, SyncStatus status)
    {
        Organization = organization;
        Mailbox = mailbox;
        Status = status;
    }

    public string Organization { get; }
    public string Mailbox { get; }
    public SyncStatus Status { get; set; }

    /// <summary>True when this run put the user on the organization's roster.</summary>
    public bool Activated { get; set; }
    public int Folders { get; set; }
    public int ItemsAdded { get; set; }
    public int ItemsUpdated { get; set; }
    public int ItemsDeleted { get; set; }
    public TimeSpan ThrottledFor { get; set; }

    /// <summary>Requests sent for this mailbox, retries included.</summary>
    public int Attempts { get; set; }
    public TimeSpan Duration { get; set; }
    public string? ErrorId { get; set; }
    public string? Message { get; set; }
    public string? RecommendedAction { get; set; }

    /// <summary>The failure behind a Failed result, for the cmdlet's ErrorRecord; not part of the exported columns.</summary>
    internal InboxException? Error { get; set; }

    public InboxException? GetError() => Error;

    public override string ToString() => $"{Mailbox}: {Status}";
}
