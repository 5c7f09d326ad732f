using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Tenant;

/// <summary>What one injected batch did, as item keys.</summary>
internal sealed record ChangeBatch(IReadOnlyList<ItemKey> Created, IReadOnlyList<ItemKey> Updated, IReadOnlyList<ItemKey> Deleted, IReadOnlyList<ItemKey> ReadFlagChanged);

/// <summary>
/// Changes to mailboxes (what users and mail flow would do): each one lands in the folder's change log with the next
/// mailbox sequence number, so incremental syncs see it.
/// </summary>
internal sealed class TenantChanges
{
    private readonly TenantStore _store;
    private readonly int _seed;

    public TenantChanges(TenantStore store, int seed)
    {
        _store = store;
        _seed = seed;
    }

    public ItemKey CreateItem(int mailbox, int folderIndex, string? subject) =>
        _store.Write(mailbox, data => Create(data, RequireMailFolder(data, folderIndex), mailbox, subject));

    public bool UpdateItem(ItemKey key, string? subject) => WriteItem(key, (data, folder) => Update(data, folder, key, subject));

    public bool FlagItem(ItemKey key) => WriteItem(key, (data, folder) => Touch(data, folder, key));

    public bool SetReadFlag(ItemKey key, bool isRead) => WriteItem(key, (data, folder) => SetRead(data, folder, key, isRead));

    public bool DeleteItem(ItemKey key) => WriteItem(key, (data, folder) => Delete(data, folder, key.Number));

    /// <summary>
    /// Moves an item to another folder of its mailbox: a delete in the source and a create in the target (new EWS id and
    /// default Graph id, as in Exchange Online), same content and read state, same immutable id. Null if it does not exist.
    /// </summary>
    public ItemKey? MoveItem(ItemKey key, int targetFolderIndex) => _store.Write(key.Mailbox, data =>
    {
        var source = data.Folder(key.Folder);
        if (source is null || !source.Exists(key.Number))
        {
            return (ItemKey?)null;
        }

        var target = RequireMailFolder(data, targetFolderIndex);
        if (target.Index == source.Index)
        {
            return key;
        }

        var isRead = _store.IsRead(key.Mailbox, source, key.Number);
        source.Overrides.TryGetValue(key.Number, out var change);
        source.CreatedItems.TryGetValue(key.Number, out var created);
        var origin = created.Origin ?? key;
        var originGenerated = created.Origin is null ? source.GeneratedCount : created.OriginGeneratedCount;
        var originTime = created.Origin is null ? (source.CreatedItems.ContainsKey(key.Number) ? created.Time : (DateTime?)null) : created.OriginTime;
        Delete(data, source, key.Number);
        source.MovedOut.Add(key.Number);

        var number = target.NextNumber++;
        var seq = data.NextSeq();
        target.CreatedItems[number] = new CreatedItem(seq, DateTime.UtcNow, origin, originGenerated, originTime);
        var moved = change?.Clone() ?? new ItemOverride();
        moved.IsRead = isRead;
        moved.Version++;
        target.Overrides[number] = moved;
        target.Log.Add(new LogEntry(seq, number, ChangeKind.Create));
        return new ItemKey(key.Mailbox, target.Index, number);
    });

    /// <summary>Creates, updates, deletes and flips read flags of distinct existing items picked from the seed.</summary>
    public ChangeBatch Inject(int mailbox, int folderIndex, int creates, int updates, int deletes, int readFlags) => _store.Write(mailbox, data =>
    {
        var folder = RequireMailFolder(data, folderIndex);
        var random = new Random((int)Mix.Hash(_seed, mailbox, folderIndex, data.Head, 0xB47));
        var candidates = folder.LiveNumbersNewestFirst().OrderBy(_ => random.Next()).ToList();
        if (updates + deletes + readFlags > candidates.Count)
        {
            throw new ArgumentException($"The folder has {candidates.Count} items; cannot change {updates + deletes + readFlags} distinct ones.");
        }

        var updated = candidates.Take(updates).ToList();
        var flipped = candidates.Skip(updates).Take(readFlags).ToList();
        var deleted = candidates.Skip(updates + readFlags).Take(deletes).ToList();
        updated.ForEach(n => Update(data, folder, new ItemKey(mailbox, folderIndex, n), null));
        flipped.ForEach(n => SetRead(data, folder, new ItemKey(mailbox, folderIndex, n), !_store.IsRead(mailbox, folder, n)));
        deleted.ForEach(n => Delete(data, folder, n));
        var created = Enumerable.Range(0, creates).Select(_ => Create(data, folder, mailbox, null)).ToList();

        ItemKey Key(int n) => new(mailbox, folderIndex, n);
        return new ChangeBatch(created, updated.Select(Key).ToList(), deleted.Select(Key).ToList(), flipped.Select(Key).ToList());
    });

    public int CreateFolder(int mailbox, int parentIndex, string displayName) => _store.Write(mailbox, data =>
    {
        if (data.Folder(parentIndex) is null)
        {
            throw new ArgumentException("The parent folder does not exist.");
        }

        var folder = new FolderData(data.Folders.Count, null, displayName, parentIndex, "IPF.Note", FolderKind.Mail, 0);
        data.Folders.Add(folder);
        data.HierarchyLog.Add(new LogEntry(data.NextSeq(), folder.Index, ChangeKind.Create));
        return folder.Index;
    });

    public void RenameFolder(int mailbox, int folderIndex, string displayName) => _store.Write(mailbox, data =>
    {
        var folder = data.Folder(folderIndex) ?? throw new ArgumentException("The folder does not exist.");
        folder.DisplayName = displayName;
        folder.Version++;
        data.HierarchyLog.Add(new LogEntry(data.NextSeq(), folderIndex, ChangeKind.Update));
        return true;
    });

    /// <summary>Deletes a folder and everything below it; distinguished folders cannot be deleted (as in Exchange).</summary>
    public void DeleteFolder(int mailbox, int folderIndex) => _store.Write(mailbox, data =>
    {
        var folder = data.Folder(folderIndex) ?? throw new ArgumentException("The folder does not exist.");
        if (folder.DistinguishedName is not null)
        {
            throw new ArgumentException($"'{folder.DistinguishedName}' is a distinguished folder and cannot be deleted.");
        }

        foreach (var doomed in data.Subtree(folderIndex).Reverse().Append(folder).ToList())
        {
            doomed.IsDeleted = true;
            data.HierarchyLog.Add(new LogEntry(data.NextSeq(), doomed.Index, ChangeKind.Delete));
        }

        return true;
    });

    /// <summary>Makes every sync state of the mailbox (or of one folder) invalid: ErrorInvalidSyncStateData from then on.</summary>
    public void InvalidateSyncStates(int mailbox, int? folderIndex) => _store.Write(mailbox, data =>
    {
        foreach (var folder in data.Folders.Where(f => folderIndex is null || f.Index == folderIndex))
        {
            folder.Epoch++;
        }

        if (folderIndex is null)
        {
            data.HierarchyEpoch++;
        }

        return true;
    });

    private bool WriteItem(ItemKey key, Action<MailboxData, FolderData> change) => _store.Write(key.Mailbox, data =>
    {
        var folder = data.Folder(key.Folder);
        if (folder is null || !folder.Exists(key.Number))
        {
            return false;
        }

        change(data, folder);
        return true;
    });

    private static FolderData RequireMailFolder(MailboxData data, int folderIndex)
    {
        var folder = data.Folder(folderIndex) ?? throw new ArgumentException("The folder does not exist.");
        return folder.Kind == FolderKind.Mail && folder.Index > WellKnownFolders.MsgFolderRoot
            ? folder
            : throw new ArgumentException($"'{folder.DisplayName}' does not hold messages.");
    }

    private static ItemKey Create(MailboxData data, FolderData folder, int mailbox, string? subject)
    {
        var number = folder.NextNumber++;
        var seq = data.NextSeq();
        var now = DateTime.UtcNow;
        folder.CreatedItems[number] = new CreatedItem(seq, new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc));
        folder.Overrides[number] = new ItemOverride { IsRead = false, Subject = subject };
        folder.Log.Add(new LogEntry(seq, number, ChangeKind.Create));
        return new ItemKey(mailbox, folder.Index, number);
    }

    private void Update(MailboxData data, FolderData folder, ItemKey key, string? subject)
    {
        var change = Override(folder, key.Number);
        change.Version++;
        // Without a given subject, the edit is visible in the subject so tests can tell versions apart.
        DateTime? createdAt = folder.CreatedItems.TryGetValue(key.Number, out var created) ? created.Time : null;
        var original = _store.Generator.Generate(key, folder, createdAt, null).Subject;
        change.Subject = subject ?? $"{original} (edit {change.Version - 1})";
        change.LastModified = DateTime.UtcNow;
        folder.Log.Add(new LogEntry(data.NextSeq(), key.Number, ChangeKind.Update));
    }

    // A change of nothing a sync selects (a follow-up flag, a category): a new version only.
    private static void Touch(MailboxData data, FolderData folder, ItemKey key)
    {
        var change = Override(folder, key.Number);
        change.Version++;
        change.LastModified = DateTime.UtcNow;
        folder.Log.Add(new LogEntry(data.NextSeq(), key.Number, ChangeKind.Update));
    }

    private static void SetRead(MailboxData data, FolderData folder, ItemKey key, bool isRead)
    {
        var change = Override(folder, key.Number);
        change.Version++;
        change.IsRead = isRead;
        folder.Log.Add(new LogEntry(data.NextSeq(), key.Number, ChangeKind.ReadFlag));
    }

    private static void Delete(MailboxData data, FolderData folder, int number)
    {
        folder.DeletedItems.Add(number);
        folder.Log.Add(new LogEntry(data.NextSeq(), number, ChangeKind.Delete));
    }

    private static ItemOverride Override(FolderData folder, int number)
    {
        if (!folder.Overrides.TryGetValue(number, out var change))
        {
            change = new ItemOverride();
            folder.Overrides[number] = change;
        }

        return change;
    }
}
