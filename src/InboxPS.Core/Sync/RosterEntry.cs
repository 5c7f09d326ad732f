using System;

namespace InboxPS.Core.Sync;

/// <summary>A user on an organization's roster: activated for sync, with the outcome of the last run.</summary>
public sealed class RosterEntry
{
    public RosterEntry(string organization, string mailbox)
    {
        Organization = organization;
        Mailbox = mailbox;
    }

    public string Organization { get; }
    public string Mailbox { get; }

    /// <summary>How the mailbox was named when it was activated, so a scheduled run impersonates it the same way.</summary>
    public MailboxAddressKind AddressKind { get; set; }

    /// <summary>False once Disable-InboxSync deactivated the user; the row stays for history until -RemoveData.</summary>
    public bool Active { get; set; }

    /// <summary>Pending (activated, not synced yet), Synced or Failed.</summary>
    public string Status { get; set; } = RosterStatus.Pending;
    public DateTimeOffset ActivatedOn { get; set; }
    public DateTimeOffset? LastAttempt { get; set; }
    public DateTimeOffset? LastSuccess { get; set; }
    public string? LastErrorId { get; set; }
    public string? LastError { get; set; }
    public string? RecommendedAction { get; set; }
    public int Folders { get; set; }
    public int Items { get; set; }

    /// <summary>Items skipped because the server could not hand them over (see the store's skipped items); retried every run.</summary>
    public int SkippedItems { get; set; }

    /// <summary>The folders chosen when the user was activated; null for a user stored before choices were kept.</summary>
    public FolderChoice? FolderChoice { get; set; }

    /// <summary>The worker that last finished this user (machine/process, or INBOXPS_WORKER); null before any run.</summary>
    public string? Worker { get; set; }

    public override string ToString() => Mailbox;
}
