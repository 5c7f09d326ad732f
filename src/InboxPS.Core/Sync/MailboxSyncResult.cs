using System;

namespace InboxPS.Core.Sync;

/// <summary>One user's outcome of Start-InboxSync: exactly one per distinct mailbox.</summary>
public sealed class MailboxSyncResult : MailboxOutcome
{
    public MailboxSyncResult(string organization, string mailbox, SyncStatus status)
    {
        Organization = organization;
        Mailbox = mailbox;
        Status = status;
    }

    public override string Organization { get; }
    public override string Mailbox { get; }
    public SyncStatus Status { get; set; }

    /// <summary>True when this run put the user on the organization's roster.</summary>
    public bool Activated { get; set; }

    /// <summary>
    /// True when this run re-baselined the user after a switch of access type: every folder was read whole and matched
    /// with the items already stored (kept, not added twice; the ones no longer on the server removed).
    /// </summary>
    public bool Rebaselined { get; set; }
    public int Folders { get; set; }
    public int ItemsAdded { get; set; }
    public int ItemsUpdated { get; set; }
    public int ItemsDeleted { get; set; }

    /// <summary>Items the server could not hand over in this run (each recorded with its reason, read again next run).</summary>
    public int ItemsSkipped { get; set; }
    public TimeSpan ThrottledFor { get; set; }

    /// <summary>Requests sent for this mailbox, retries included.</summary>
    public int Attempts { get; set; }
    public override TimeSpan Duration { get; set; }
    public override string? ErrorId { get; set; }
    public override string? Message { get; set; }
    public override string? RecommendedAction { get; set; }

    internal override TimeSpan ThrottledTime => ThrottledFor;

    internal override int Requests => Attempts;

    public override string ToString() => $"{Mailbox}: {Status}";

    private protected override void OnFailed() => Status = SyncStatus.Failed;
}
