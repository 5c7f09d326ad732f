using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>The store's part in sync: the roster, folder states and items. Every method is one transaction.</summary>
public interface ISyncStore
{
    RosterEntry? GetRosterEntry(string organization, string mailbox);

    /// <summary>Roster rows in mailbox order, read lazily so 100,000 users never sit in memory at once.</summary>
    IEnumerable<RosterEntry> GetRoster(string? organization, bool activeOnly);

    /// <summary>
    /// The roster entry of the mailbox the server identifies by <paramref name="mailboxId"/>, whichever of its addresses
    /// it was stored under; null when none is.
    /// </summary>
    RosterEntry? FindMailbox(string organization, string mailboxId);

    /// <summary>
    /// Puts the user on the roster (or reactivates them); true when they were not active before. <paramref name="folders"/>
    /// is remembered as the user's folder choice; null keeps the one stored. The target's MailboxId, when known, is stored.
    /// </summary>
    bool Activate(string organization, MailboxTarget mailbox, FolderChoice? folders = null);

    void RecordSuccess(string organization, string mailbox);

    /// <summary>Remembers a failure for Get-InboxSyncStatus; a user not on the roster is recorded as inactive.</summary>
    void RecordFailure(string organization, string mailbox, string errorId, string message, string? recommendedAction);

    /// <summary>Deactivates the user; with <paramref name="removeData"/> also forgets folders, states, items and run history.</summary>
    bool Deactivate(string organization, string mailbox, bool removeData);

    string? GetHierarchyState(string organization, string mailbox);

    /// <summary>Applies one hierarchy page and stores its state, atomically.</summary>
    void ApplyFolderPage(string organization, string mailbox, FolderPage page);

    IReadOnlyList<StoredFolder> GetFolders(string organization, string mailbox);

    /// <summary>Forgets folders the server no longer has, with their items, skipped items and states, atomically.</summary>
    void ForgetFolders(string organization, string mailbox, IReadOnlyCollection<string> folderIds);

    /// <summary>Records the folder (found by well-known name or chosen by -AllMailFolders) as one to sync.</summary>
    void SelectFolder(string organization, string mailbox, MailFolder folder, string? wellKnownName);

    /// <summary>
    /// Applies one page of item changes and advances the folder's state in the same transaction. The page's skipped
    /// items are remembered (with their reasons) in that transaction too; an item upserted or deleted is no longer skipped.
    /// <paramref name="mimePaths"/> (item id => .eml file) names the files the engine already wrote for the page; the
    /// store never calls back into the engine, so no disk I/O happens under its write lock. An updated item's earlier
    /// file is deleted after the commit unless the page wrote it again (without a new one it is stale: Export-InboxItem
    /// then reads the message from the server).
    /// An upsert whose id is new but whose Internet message id matches an item kept from the previous access type takes
    /// over that row (new id and folder, counted as updated, its .eml file kept unless a new one was written), so a
    /// switch between EWS and Graph neither duplicates nor loses items.
    /// </summary>
    ItemPageOutcome ApplyItemPage(string organization, string mailbox, string folderId, ItemPage page,
        IReadOnlyDictionary<string, string>? mimePaths);

    /// <summary>The folder's items that were skipped (SyncFault.ItemFailed) and not read since, with their reasons.</summary>
    IReadOnlyList<SkippedItem> GetSkippedItems(string organization, string mailbox, string folderId);

    /// <summary>
    /// Forgets a folder's items and state so it can be synced again from the start (invalid sync state), and marks the
    /// user <see cref="RosterStatus.Incomplete"/> in the same transaction: only <see cref="RecordSuccess"/> after the
    /// whole run shows Synced again, so a resync killed part-way never shows Synced with items missing.
    /// </summary>
    void ResetFolder(string organization, string mailbox, string folderId);

    /// <summary>
    /// A folder no longer chosen for the user (-Folder Inbox after -AllMailFolders): it is not synced any more, and its
    /// items, skipped items and sync state are dropped, atomically. The folder stays known from the hierarchy, so a later
    /// choice that includes it selects it again and syncs it from the start.
    /// </summary>
    void DeselectFolder(string organization, string mailbox, string folderId);

    /// <summary>
    /// How many of the user's items were kept from the organization's previous access type and not yet matched (see
    /// <see cref="ApplyItemPage"/>): more than 0 means this run re-baselines the mailbox.
    /// </summary>
    int CountItemsToRebaseline(string organization, string mailbox);

    /// <summary>
    /// Ends a re-baseline after every selected folder was read whole: the kept items no page matched are no longer on
    /// the server (or no longer selected) and are removed with their .eml files. Returns how many.
    /// </summary>
    int FinishRebaseline(string organization, string mailbox);

    /// <summary>Counts the user's stored folders and items (for the roster's figures).</summary>
    (int Folders, int Items) CountStored(string organization, string mailbox);
}
