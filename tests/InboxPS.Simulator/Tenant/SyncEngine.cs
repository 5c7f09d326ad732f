using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Tenant;

/// <summary>A folder as a client sees it at one moment (counts computed from the live items).</summary>
internal sealed record FolderView(
    int Mailbox, int Index, string? DistinguishedName, string DisplayName, int ParentIndex, string FolderClass, FolderKind Kind,
    int Version, int TotalCount, int UnreadCount, int ChildFolderCount)
{
    public static FolderView Of(TenantStore store, int mailbox, MailboxData data, FolderData folder)
    {
        var total = 0;
        var unread = 0;
        foreach (var n in folder.LiveNumbersNewestFirst())
        {
            total++;
            unread += store.IsRead(mailbox, folder, n) ? 0 : 1;
        }

        return new FolderView(mailbox, folder.Index, folder.DistinguishedName, folder.DisplayName, folder.ParentIndex, folder.FolderClass,
            folder.Kind, folder.Version, total, unread, data.ChildFolderCount(folder.Index));
    }
}

internal sealed record ItemChangeOut(ChangeKind Kind, ItemKey Key, int Version, bool IsRead, MessageData? Message);

internal sealed record FolderChangeOut(ChangeKind Kind, int Mailbox, int FolderIndex, int Version, FolderView? Folder);

internal sealed record SyncPage<T>(IReadOnlyList<T> Changes, string SyncState, bool IncludesLast);

internal enum SyncOutcome
{
    Ok,
    InvalidSyncState,
    FolderNotFound,
}

/// <summary>
/// SyncFolderItems and SyncFolderHierarchy over the change logs. The first sync (no state) enumerates the folder newest
/// first as Create changes, paged by MaxChangesReturned; later syncs replay the log from the state's watermark,
/// coalescing the changes of one item within a page the way Exchange does (create+update is a create, create+delete is
/// nothing, update+read-flag is an update).
/// </summary>
internal sealed class SyncEngine
{
    private readonly TenantStore _store;
    private readonly SyncStateCodec _codec;

    public SyncEngine(TenantStore store, SyncStateCodec codec)
    {
        _store = store;
        _codec = codec;
    }

    public SyncOutcome SyncItems(int mailbox, int folderIndex, string? syncState, int max, IReadOnlySet<ItemKey> ignore, out SyncPage<ItemChangeOut>? page)
    {
        (SyncOutcome, SyncPage<ItemChangeOut>?) Run(MailboxData data)
        {
            var folder = data.Folder(folderIndex);
            if (folder is null)
            {
                return (SyncOutcome.FolderNotFound, null);
            }

            var start = new SyncPosition(SyncKind.Items, mailbox, folderIndex, _store.GlobalEpoch, folder.Epoch, data.Head, true, folder.NextNumber);
            if (!TryStart(syncState, start, data.Head, out var position))
            {
                return (SyncOutcome.InvalidSyncState, null);
            }

            return (SyncOutcome.Ok, position.Initial
                ? InitialItems(mailbox, folder, position, max, ignore)
                : IncrementalItems(mailbox, folder, position, max, ignore));
        }

        var (outcome, result) = _store.Read(mailbox, Run);
        page = result;
        return outcome;
    }

    public SyncOutcome SyncHierarchy(int mailbox, int rootIndex, string? syncState, out SyncPage<FolderChangeOut>? page)
    {
        (SyncOutcome, SyncPage<FolderChangeOut>?) Run(MailboxData data)
        {
            if (data.Folder(rootIndex) is null)
            {
                return (SyncOutcome.FolderNotFound, null);
            }

            var start = new SyncPosition(SyncKind.Hierarchy, mailbox, rootIndex, _store.GlobalEpoch, data.HierarchyEpoch, data.Head, true, 0);
            if (!TryStart(syncState, start, data.Head, out var position))
            {
                return (SyncOutcome.InvalidSyncState, null);
            }

            var changes = position.Initial
                ? data.Subtree(rootIndex).Select(f => FolderChange(ChangeKind.Create, mailbox, data, f)).ToList()
                : IncrementalFolders(mailbox, data, rootIndex, position.Watermark);
            var next = position with { Initial = false, Watermark = data.Head };
            return (SyncOutcome.Ok, new SyncPage<FolderChangeOut>(changes, _codec.Encode(next), true));
        }

        var (outcome, result) = _store.Read(mailbox, Run);
        page = result;
        return outcome;
    }

    /// <summary>Decodes the client's state and checks it belongs here: same kind, mailbox, folder, epochs, and a real position.</summary>
    private bool TryStart(string? syncState, SyncPosition fresh, long head, out SyncPosition position)
    {
        if (string.IsNullOrWhiteSpace(syncState))
        {
            position = fresh;
            return true;
        }

        return _codec.TryDecode(syncState, out position)
            && position.Kind == fresh.Kind && position.Mailbox == fresh.Mailbox && position.Folder == fresh.Folder
            && position.GlobalEpoch == fresh.GlobalEpoch && position.LocalEpoch == fresh.LocalEpoch
            && position.Watermark >= 0 && position.Watermark <= head;
    }

    private SyncPage<ItemChangeOut> InitialItems(int mailbox, FolderData folder, SyncPosition position, int max, IReadOnlySet<ItemKey> ignore)
    {
        var changes = new List<ItemChangeOut>();
        var consumed = 0;
        var last = position.Cursor;
        var n = Math.Min(position.Cursor, folder.NextNumber) - 1;
        for (; n >= 0; n--)
        {
            if (!folder.Exists(n) || !folder.CreatedAtOrBefore(n, position.Watermark))
            {
                continue;
            }

            // Ignored items use up the page too, as on Exchange; stopping here leaves n on the next item to send.
            if (consumed == max)
            {
                break;
            }

            consumed++;
            last = n;
            var change = ItemChange(ChangeKind.Create, mailbox, folder, n);
            if (!ignore.Contains(change.Key))
            {
                changes.Add(change);
            }
        }

        if (n >= 0)
        {
            return new SyncPage<ItemChangeOut>(changes, _codec.Encode(position with { Cursor = last }), false);
        }

        var done = position with { Initial = false, Cursor = 0 };
        return new SyncPage<ItemChangeOut>(changes, _codec.Encode(done), !HasLogAfter(folder, done.Watermark));
    }

    private SyncPage<ItemChangeOut> IncrementalItems(int mailbox, FolderData folder, SyncPosition position, int max, IReadOnlySet<ItemKey> ignore)
    {
        var pending = new Dictionary<int, ChangeKind?>();
        var order = new List<int>();
        var watermark = position.Watermark;
        var i = FirstAfter(folder.Log, watermark);
        for (; i < folder.Log.Count; i++)
        {
            var entry = folder.Log[i];
            var known = pending.TryGetValue(entry.Target, out var current);
            if (!known && order.Count == max)
            {
                break;
            }

            if (!known)
            {
                order.Add(entry.Target);
            }

            pending[entry.Target] = Coalesce(current, entry.Kind);
            watermark = entry.Seq;
        }

        var changes = new List<ItemChangeOut>();
        foreach (var n in order)
        {
            if (pending[n] is not { } kind || ignore.Contains(new ItemKey(mailbox, folder.Index, n)))
            {
                continue;
            }

            // A create or update of an item deleted later is skipped: the delete follows in a later page.
            if (kind == ChangeKind.Delete || folder.Exists(n))
            {
                changes.Add(ItemChange(kind, mailbox, folder, n));
            }
        }

        return new SyncPage<ItemChangeOut>(changes, _codec.Encode(position with { Watermark = watermark }), i >= folder.Log.Count);
    }

    private static ChangeKind? Coalesce(ChangeKind? current, ChangeKind next) => (current, next) switch
    {
        (ChangeKind.Create, ChangeKind.Delete) => null,
        (ChangeKind.Create, _) => ChangeKind.Create,
        (ChangeKind.Update, ChangeKind.ReadFlag) => ChangeKind.Update,
        _ => next,
    };

    private List<FolderChangeOut> IncrementalFolders(int mailbox, MailboxData data, int rootIndex, long watermark)
    {
        var pending = new Dictionary<int, ChangeKind?>();
        var order = new List<int>();
        for (var i = FirstAfter(data.HierarchyLog, watermark); i < data.HierarchyLog.Count; i++)
        {
            var entry = data.HierarchyLog[i];
            if (!data.IsInSubtree(data.Folders[entry.Target], rootIndex))
            {
                continue;
            }

            if (pending.TryGetValue(entry.Target, out var current))
            {
                pending[entry.Target] = Coalesce(current, entry.Kind);
            }
            else
            {
                order.Add(entry.Target);
                pending[entry.Target] = entry.Kind;
            }
        }

        return order
            .Where(index => pending[index] is not null && (pending[index] == ChangeKind.Delete || data.Folder(index) is not null))
            .Select(index => FolderChange(pending[index]!.Value, mailbox, data, data.Folders[index]))
            .ToList();
    }

    private static bool HasLogAfter(FolderData folder, long watermark) => folder.Log.Count > 0 && folder.Log[^1].Seq > watermark;

    private static int FirstAfter(List<LogEntry> log, long watermark)
    {
        int lo = 0, hi = log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (log[mid].Seq <= watermark)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private ItemChangeOut ItemChange(ChangeKind kind, int mailbox, FolderData folder, int n)
    {
        var key = new ItemKey(mailbox, folder.Index, n);
        var version = folder.Overrides.TryGetValue(n, out var change) ? change.Version : 1;
        var message = kind is ChangeKind.Create or ChangeKind.Update ? _store.Resolve(mailbox, folder, n) : null;
        var isRead = kind == ChangeKind.ReadFlag && _store.IsRead(mailbox, folder, n);
        return new ItemChangeOut(kind, key, version, isRead, message);
    }

    private FolderChangeOut FolderChange(ChangeKind kind, int mailbox, MailboxData data, FolderData folder) =>
        new(kind, mailbox, folder.Index, folder.Version, kind == ChangeKind.Delete ? null : FolderView.Of(_store, mailbox, data, folder));
}
