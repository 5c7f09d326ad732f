using System;
using System.Collections.Generic;

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

    /// <summary>False once Stop-InboxSync deactivated the user; the row stays for history until -RemoveData.</summary>
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

    public override string ToString() => Mailbox;
}

public static class RosterStatus
{
    public const string Pending = "Pending";
    public const string Synced = "Synced";
    public const string Failed = "Failed";
    public const string Inactive = "Inactive";
}

/// <summary>A folder of a user's mailbox as the store knows it.</summary>
public sealed class StoredFolder
{
    public StoredFolder(string folderId)
    {
        FolderId = folderId;
    }

    public string FolderId { get; }
    public string? ParentFolderId { get; set; }
    public string? DisplayName { get; set; }
    public string? FolderClass { get; set; }
    public string? WellKnownName { get; set; }
    public bool Selected { get; set; }
    public string? SyncState { get; set; }
}

/// <summary>What one applied page changed in the store.</summary>
public readonly struct ItemPageOutcome
{
    public ItemPageOutcome(int added, int updated, int deleted)
    {
        Added = added;
        Updated = updated;
        Deleted = deleted;
    }

    public int Added { get; }
    public int Updated { get; }
    public int Deleted { get; }
}

/// <summary>The store's part in sync: the roster, folder states and items. Every method is one transaction.</summary>
public interface ISyncStore
{
    RosterEntry? GetRosterEntry(string organization, string mailbox);

    /// <summary>Roster rows in mailbox order, read lazily so 100,000 users never sit in memory at once.</summary>
    IEnumerable<RosterEntry> GetRoster(string? organization, bool activeOnly);

    /// <summary>Puts the user on the roster (or reactivates them); true when they were not active before.</summary>
    bool Activate(string organization, MailboxTarget mailbox);

    void RecordSuccess(string organization, string mailbox);

    /// <summary>Remembers a failure for Get-InboxSyncStatus; a user not on the roster is recorded as inactive.</summary>
    void RecordFailure(string organization, string mailbox, string errorId, string message, string? recommendedAction);

    /// <summary>Deactivates the user; with <paramref name="removeData"/> also forgets folders, states and items.</summary>
    bool Deactivate(string organization, string mailbox, bool removeData);

    string? GetHierarchyState(string organization, string mailbox);

    /// <summary>Applies one hierarchy page and stores its state, atomically.</summary>
    void ApplyFolderPage(string organization, string mailbox, FolderPage page);

    IReadOnlyList<StoredFolder> GetFolders(string organization, string mailbox);

    /// <summary>Records the folder (found by well-known name or chosen by -AllMailFolders) as one to sync.</summary>
    void SelectFolder(string organization, string mailbox, MailFolder folder, string? wellKnownName);

    /// <summary>Applies one page of item changes and advances the folder's state in the same transaction.</summary>
    ItemPageOutcome ApplyItemPage(string organization, string mailbox, string folderId, ItemPage page, Func<MailItem, string?>? mimePath);

    /// <summary>Forgets a folder's items and state so it can be synced again from the start (invalid sync state).</summary>
    void ResetFolder(string organization, string mailbox, string folderId);

    /// <summary>Counts the user's stored folders and items (for the roster's figures).</summary>
    (int Folders, int Items) CountStored(string organization, string mailbox);
}
