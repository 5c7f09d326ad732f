using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;

namespace InboxPS.Simulator.Tenant;

/// <summary>Per-user switches that the broken users and the control API flip.</summary>
internal sealed class MailboxFlags
{
    public bool HasMailbox { get; set; } = true;

    public bool Licensed { get; set; } = true;

    public bool MoveInProgress { get; set; }

    public bool EwsEnabled { get; set; } = true;

    /// <summary>Outside the default management scope, so "all mailboxes" impersonation rights do not reach it.</summary>
    public bool OutsideDefaultScope { get; set; }

    /// <summary>EWS calls still to be answered ErrorServerBusy (a mailbox throttled hard).</summary>
    public int BusyCallsRemaining;

    /// <summary>The back-off those busy answers carry; zero: the server's BackOff (Graph: its Retry-After).</summary>
    public TimeSpan BusyBackOff { get; set; }
}

/// <summary>
/// All mailboxes' changeable state. Unchanged mailboxes share one pristine <see cref="MailboxData"/>; only mailboxes that
/// changed are materialised, which keeps a 10,000-mailbox tenant small.
/// </summary>
internal sealed class TenantStore
{
    private readonly ConcurrentDictionary<int, MailboxData> _changed = new();
    private readonly ConcurrentDictionary<int, MailboxFlags> _flags = new();
    private readonly ConcurrentDictionary<string, string> _unreadable = new(System.StringComparer.Ordinal);
    private readonly MailboxData _pristine;
    private readonly int _throttledBusyCalls;
    private int _globalEpoch;

    /// <summary>
    /// Items GetItem cannot hand over until healed (ErrorItemCorrupt, ErrorMessageSizeExceeded, ...): item id =>
    /// response code. The item stays in its folder and in every sync page, as a corrupt item does in Exchange.
    /// </summary>
    public void SetUnreadable(string itemId, string? responseCode)
    {
        if (responseCode is null)
        {
            _unreadable.TryRemove(itemId, out _);
        }
        else
        {
            _unreadable[itemId] = responseCode;
        }
    }

    public string? UnreadableCode(string itemId) => _unreadable.TryGetValue(itemId, out var code) ? code : null;

    public TenantStore(TenantDirectory directory, ItemGenerator generator, EwsIds ids, int itemsPerFolder, int throttledBusyCalls)
    {
        Directory = directory;
        Generator = generator;
        Ids = ids;
        _throttledBusyCalls = throttledBusyCalls;
        _pristine = MailboxData.CreatePristine(itemsPerFolder);
    }

    public TenantDirectory Directory { get; }

    public ItemGenerator Generator { get; }

    public EwsIds Ids { get; }

    /// <summary>Bumped to invalidate every sync state in the tenant at once.</summary>
    public int GlobalEpoch => Volatile.Read(ref _globalEpoch);

    public int MaterialisedMailboxes => _changed.Count;

    public void InvalidateAllSyncStates() => Interlocked.Increment(ref _globalEpoch);

    /// <summary>Reads a mailbox consistently (under its lock when it has its own state).</summary>
    public T Read<T>(int mailbox, Func<MailboxData, T> read)
    {
        if (!_changed.TryGetValue(mailbox, out var data))
        {
            return read(_pristine);
        }

        lock (data.Gate)
        {
            return read(data);
        }
    }

    /// <summary>Changes a mailbox, giving it its own state first if it had none.</summary>
    public T Write<T>(int mailbox, Func<MailboxData, T> write)
    {
        var data = _changed.GetOrAdd(mailbox, _ => _pristine.Materialise());
        lock (data.Gate)
        {
            return write(data);
        }
    }

    public MailboxFlags Flags(int mailbox) => _flags.GetOrAdd(mailbox, m => DefaultFlags(Directory.Get(m)));

    public MessageData Resolve(int mailbox, FolderData folder, int number)
    {
        var key = new ItemKey(mailbox, folder.Index, number);
        folder.Overrides.TryGetValue(number, out var change);
        if (!folder.CreatedItems.TryGetValue(number, out var created))
        {
            return Generator.Generate(key, folder, null, change);
        }

        // A moved item is generated where it started, so its content (and MIME) survive the move.
        return created.Origin is { } origin
            ? Generator.Generate(origin, origin.Folder, created.OriginGeneratedCount, created.OriginTime, change) with { Key = key }
            : Generator.Generate(key, folder, created.Time, change);
    }

    /// <summary>Where the item that started at <paramref name="origin"/> lives now (it may have moved), or null when gone.</summary>
    public ItemKey? FindByOrigin(MailboxData data, ItemKey origin)
    {
        if (data.Folder(origin.Folder) is { } first && first.Exists(origin.Number))
        {
            return origin;
        }

        foreach (var folder in data.Folders.Where(f => !f.IsDeleted))
        {
            foreach (var (number, created) in folder.CreatedItems)
            {
                if (created.Origin == origin && folder.Exists(number))
                {
                    return new ItemKey(origin.Mailbox, folder.Index, number);
                }
            }
        }

        return null;
    }

    /// <summary>Where the item at <paramref name="key"/> started (itself unless it was moved there).</summary>
    public static ItemKey OriginOf(FolderData folder, ItemKey key) =>
        folder.CreatedItems.TryGetValue(key.Number, out var created) && created.Origin is { } origin ? origin : key;

    public bool IsRead(int mailbox, FolderData folder, int number) =>
        folder.Overrides.TryGetValue(number, out var change) && change.IsRead is { } isRead
            ? isRead
            : Generator.GeneratedIsRead(new ItemKey(mailbox, folder.Index, number), folder);

    private MailboxFlags DefaultFlags(DirectoryUser user) => user.Broken switch
    {
        // The service account (index 0) has a licensed mailbox, as the product requires; svc-unlicensed@ is one without.
        BrokenKind.OutOfScope => new MailboxFlags { OutsideDefaultScope = true },
        BrokenKind.NoLicense or BrokenKind.UnlicensedServiceAccount => new MailboxFlags { HasMailbox = false, Licensed = false },
        BrokenKind.Moving => new MailboxFlags { MoveInProgress = true },
        BrokenKind.Throttled => new MailboxFlags { BusyCallsRemaining = _throttledBusyCalls },
        _ => new MailboxFlags(),
    };
}
