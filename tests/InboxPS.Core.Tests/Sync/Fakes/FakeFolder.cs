using System.Globalization;
using System.Text;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>
/// A folder as the server sees it: a log of item changes, read by sync states that are positions in that log. A new
/// epoch makes every state handed out before it invalid, as a server does when it forgets its sync states.
/// </summary>
public sealed class FakeFolder
{
    private readonly object _gate = new();
    private readonly List<Change> _log = new();
    private readonly HashSet<string> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InboxException> _unreadable = new(StringComparer.Ordinal);
    private int _epoch;
    private int _nextItem;

    public FakeFolder(string id, string? wellKnownName, string displayName, string folderClass = "IPF.Note")
    {
        Id = id;
        WellKnownName = wellKnownName;
        DisplayName = displayName;
        FolderClass = folderClass;
    }

    public string Id { get; }
    public string? WellKnownName { get; }
    public string DisplayName { get; }
    public string FolderClass { get; }

    /// <summary>The items the folder holds now: what a store that synced it must hold.</summary>
    public IReadOnlyCollection<string> ItemIds
    {
        get
        {
            lock (_gate)
            {
                return _current.ToArray();
            }
        }
    }

    public MailFolder ToMailFolder() => new(Id, null, DisplayName, FolderClass);

    /// <summary>New messages arrive; returns their ids.</summary>
    public IReadOnlyList<string> AddItems(int count)
    {
        lock (_gate)
        {
            var ids = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var id = $"{Id}/item+{_nextItem++.ToString(CultureInfo.InvariantCulture)}=";
                _log.Add(new Change(MailChangeKind.Upsert, id, null));
                _current.Add(id);
                ids.Add(id);
            }

            return ids;
        }
    }

    public void Delete(string itemId)
    {
        lock (_gate)
        {
            _log.Add(new Change(MailChangeKind.Delete, itemId, null));
            _current.Remove(itemId);
        }
    }

    public void MarkRead(string itemId)
    {
        lock (_gate)
        {
            _log.Add(new Change(MailChangeKind.Upsert, itemId, true));
        }
    }

    /// <summary>The item cannot be read (corrupt, too large) until <see cref="Heal"/>: a page skips it with this error.</summary>
    public void Break(string itemId, InboxException error)
    {
        lock (_gate)
        {
            _unreadable[itemId] = error;
        }
    }

    public void Heal(string itemId)
    {
        lock (_gate)
        {
            _unreadable.Remove(itemId);
        }
    }

    /// <summary>What a protocol's read of named items answers: readable ones, gone ones as deletes, broken ones skipped.</summary>
    internal ItemPage Read(IReadOnlyList<string> itemIds, bool includeMime)
    {
        lock (_gate)
        {
            var upserts = new List<MailItem>();
            var deletes = new List<string>();
            var skipped = new List<SkippedItem>();
            foreach (var id in itemIds)
            {
                if (!_current.Contains(id))
                {
                    deletes.Add(id);
                }
                else if (!TrySkip(id, skipped))
                {
                    upserts.Add(Item(id, includeMime));
                }
            }

            return new ItemPage(string.Empty, true, upserts, deletes, Array.Empty<ReadFlagChange>(), skipped);
        }
    }

    /// <summary>The server forgets this folder's sync states: the next call with an old state fails.</summary>
    public void InvalidateSyncStates()
    {
        lock (_gate)
        {
            _epoch++;
        }
    }

    /// <summary>The content a MIME export of <paramref name="itemId"/> must write.</summary>
    public static byte[] MimeOf(string itemId) => Encoding.UTF8.GetBytes($"Message-ID: <{itemId}>\r\nSubject: {itemId}\r\n\r\nBody\r\n");

    internal ItemPage Page(string? state, int pageSize, bool includeMime)
    {
        lock (_gate)
        {
            var position = 0;
            if (state is not null)
            {
                var parts = state.Split(':');
                if (int.Parse(parts[0], CultureInfo.InvariantCulture) != _epoch)
                {
                    throw Faults.InvalidSyncState($"folder {DisplayName}");
                }

                position = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }

            var end = Math.Min(_log.Count, position + pageSize);
            var upserts = new List<MailItem>();
            var deletes = new List<string>();
            var readFlags = new List<ReadFlagChange>();
            var skipped = new List<SkippedItem>();
            for (var i = position; i < end; i++)
            {
                var change = _log[i];
                if (change.Kind == MailChangeKind.Delete)
                {
                    deletes.Add(change.ItemId);
                }
                else if (change.IsRead is { } isRead)
                {
                    readFlags.Add(new ReadFlagChange(change.ItemId, isRead));
                }
                else if (!TrySkip(change.ItemId, skipped))
                {
                    upserts.Add(Item(change.ItemId, includeMime));
                }
            }

            var next = string.Create(CultureInfo.InvariantCulture, $"{_epoch}:{end}");
            return new ItemPage(next, end == _log.Count, upserts, deletes, readFlags, skipped);
        }
    }

    private static MailItem Item(string id, bool includeMime) => new(id)
    {
        Subject = id,
        IsRead = false,
        Mime = includeMime ? MimeOf(id) : null,
    };

    private bool TrySkip(string itemId, List<SkippedItem> skipped)
    {
        if (!_unreadable.TryGetValue(itemId, out var error))
        {
            return false;
        }

        skipped.Add(new SkippedItem(itemId, error.ErrorId, error.Message));
        return true;
    }

    private sealed record Change(MailChangeKind Kind, string ItemId, bool? IsRead);
}
