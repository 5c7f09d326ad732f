using System;
using System.Collections.Generic;

namespace InboxPS.Simulator.Tenant;

internal enum FolderKind
{
    Mail,
    Calendar,
    Contacts,
}

internal enum ChangeKind : byte
{
    Create,
    Update,
    ReadFlag,
    Delete,
}

/// <summary>One entry of a change log: the mailbox-wide sequence number, what changed and how.</summary>
internal readonly record struct LogEntry(long Seq, int Target, ChangeKind Kind);

/// <summary>What a change did to a generated item; generated items themselves are never stored.</summary>
internal sealed class ItemOverride
{
    public int Version { get; set; } = 1;

    public bool? IsRead { get; set; }

    public string? Subject { get; set; }

    public DateTime? LastModified { get; set; }

    public ItemOverride Clone() => (ItemOverride)MemberwiseClone();
}

/// <summary>
/// An item that arrived after start: when (sequence and time). A moved item also names where it was first
/// (<paramref name="Origin"/>, with that folder's generated count and its arrival time) so it keeps its content and its
/// immutable id.
/// </summary>
internal readonly record struct CreatedItem(long Seq, DateTime Time, ItemKey? Origin = null, int OriginGeneratedCount = 0, DateTime? OriginTime = null);

/// <summary>
/// One folder of one mailbox. Items 0..GeneratedCount-1 come from the generator; items injected later get the next
/// numbers. Only what changed is stored (overrides, deletions, creations, the change log), and only once something did.
/// </summary>
internal sealed class FolderData
{
    public FolderData(int index, string? distinguishedName, string displayName, int parentIndex, string folderClass, FolderKind kind, int generatedCount)
    {
        Index = index;
        DistinguishedName = distinguishedName;
        DisplayName = displayName;
        ParentIndex = parentIndex;
        FolderClass = folderClass;
        Kind = kind;
        GeneratedCount = generatedCount;
        NextNumber = generatedCount;
    }

    public int Index { get; }

    public string? DistinguishedName { get; }

    public string DisplayName { get; set; }

    public int ParentIndex { get; }

    public string FolderClass { get; }

    public FolderKind Kind { get; }

    public int GeneratedCount { get; }

    public int NextNumber { get; set; }

    public int Version { get; set; } = 1;

    public bool IsDeleted { get; set; }

    /// <summary>Bumped to invalidate every sync state of this folder.</summary>
    public int Epoch { get; set; }

    public Dictionary<int, ItemOverride> Overrides { get; private set; } = new();

    public HashSet<int> DeletedItems { get; private set; } = new();

    /// <summary>Deleted items that were moved out rather than deleted (Graph's @removed reason "changed").</summary>
    public HashSet<int> MovedOut { get; private set; } = new();

    public Dictionary<int, CreatedItem> CreatedItems { get; private set; } = new();

    /// <summary>Changes in sequence order (ascending).</summary>
    public List<LogEntry> Log { get; private set; } = new();

    public bool Exists(int number) =>
        number >= 0 && number < NextNumber
        && (number < GeneratedCount || CreatedItems.ContainsKey(number))
        && !DeletedItems.Contains(number);

    /// <summary>Whether the item was there when the mailbox's change sequence stood at <paramref name="seq"/>.</summary>
    public bool CreatedAtOrBefore(int number, long seq) =>
        number < GeneratedCount || (CreatedItems.TryGetValue(number, out var created) && created.Seq <= seq);

    /// <summary>Live item numbers, newest first (the order Exchange Online returns items in).</summary>
    public IEnumerable<int> LiveNumbersNewestFirst()
    {
        for (var n = NextNumber - 1; n >= 0; n--)
        {
            if (Exists(n))
            {
                yield return n;
            }
        }
    }

    public FolderData Clone()
    {
        var copy = (FolderData)MemberwiseClone();
        copy.Overrides = new Dictionary<int, ItemOverride>();
        foreach (var (n, o) in Overrides)
        {
            copy.Overrides[n] = o.Clone();
        }

        copy.DeletedItems = new HashSet<int>(DeletedItems);
        copy.MovedOut = new HashSet<int>(MovedOut);
        copy.CreatedItems = new Dictionary<int, CreatedItem>(CreatedItems);
        copy.Log = new List<LogEntry>(Log);
        return copy;
    }
}

/// <summary>The folders every generated mailbox starts with, and how many items each gets.</summary>
internal static class WellKnownFolders
{
    public const int Root = 0;
    public const int MsgFolderRoot = 1;
    public const int Inbox = 2;
    public const int SentItems = 3;

    public static List<FolderData> Create(int itemsPerFolder)
    {
        var n = itemsPerFolder;
        return new List<FolderData>
        {
            new(Root, "root", "Root", -1, "", FolderKind.Mail, 0),
            new(MsgFolderRoot, "msgfolderroot", "Top of Information Store", Root, "IPF.Note", FolderKind.Mail, 0),
            new(Inbox, "inbox", "Inbox", MsgFolderRoot, "IPF.Note", FolderKind.Mail, n),
            new(SentItems, "sentitems", "Sent Items", MsgFolderRoot, "IPF.Note", FolderKind.Mail, n / 2),
            new(4, "drafts", "Drafts", MsgFolderRoot, "IPF.Note", FolderKind.Mail, Math.Min(2, n)),
            new(5, "deleteditems", "Deleted Items", MsgFolderRoot, "IPF.Note", FolderKind.Mail, n / 4),
            new(6, "junkemail", "Junk Email", MsgFolderRoot, "IPF.Note", FolderKind.Mail, n / 10),
            new(7, "outbox", "Outbox", MsgFolderRoot, "IPF.Note", FolderKind.Mail, 0),
            new(8, "archive", "Archive", MsgFolderRoot, "IPF.Note", FolderKind.Mail, n / 2),
            new(9, "calendar", "Calendar", MsgFolderRoot, "IPF.Appointment", FolderKind.Calendar, 0),
            new(10, "contacts", "Contacts", MsgFolderRoot, "IPF.Contact", FolderKind.Contacts, 0),
            new(11, null, "Projects", Inbox, "IPF.Note", FolderKind.Mail, n / 4),
        };
    }
}
