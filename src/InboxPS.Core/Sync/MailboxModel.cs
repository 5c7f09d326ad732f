using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

// The protocol-neutral shape of what sync reads from a mailbox. EWS fills it today; a Microsoft Graph access type
// (delta queries) can fill the same shapes later without the engine or the store changing.

public enum MailChangeKind
{
    Upsert,
    Delete,
}

public sealed class MailFolder
{
    public MailFolder(string id, string? parentId, string? displayName, string? folderClass)
    {
        Id = id;
        ParentId = parentId;
        DisplayName = displayName;
        FolderClass = folderClass;
    }

    public string Id { get; }
    public string? ParentId { get; }
    public string? DisplayName { get; }
    public string? FolderClass { get; }

    /// <summary>Mail folders are IPF.Note (or a subclass); calendars, contacts and tasks are not synced.</summary>
    public bool HoldsMail => FolderClass is null || FolderClass.StartsWith("IPF.Note", StringComparison.OrdinalIgnoreCase);
}

public sealed class FolderChange
{
    public FolderChange(MailChangeKind kind, string folderId, MailFolder? folder)
    {
        Kind = kind;
        FolderId = folderId;
        Folder = folder;
    }

    public MailChangeKind Kind { get; }
    public string FolderId { get; }
    public MailFolder? Folder { get; }
}

public sealed class FolderPage
{
    public FolderPage(string state, bool isLast, IReadOnlyList<FolderChange> changes)
    {
        State = state;
        IsLast = isLast;
        Changes = changes;
    }

    /// <summary>The sync state to store with this page: the next call continues after it.</summary>
    public string State { get; }
    public bool IsLast { get; }
    public IReadOnlyList<FolderChange> Changes { get; }
}

/// <summary>An item with the properties the store keeps (DESIGN.md §4).</summary>
public sealed class MailItem
{
    public MailItem(string id)
    {
        Id = id;
    }

    public string Id { get; }
    public string? ChangeKey { get; set; }
    public string? ItemClass { get; set; }
    public string? InternetMessageId { get; set; }
    public string? ConversationId { get; set; }
    public string? Subject { get; set; }
    public string? Sender { get; set; }
    public string? ToRecipients { get; set; }
    public string? CcRecipients { get; set; }
    public DateTimeOffset? Sent { get; set; }
    public DateTimeOffset? Received { get; set; }
    public long? Size { get; set; }
    public bool? IsRead { get; set; }
    public bool? HasAttachments { get; set; }

    /// <summary>The raw message (RFC 822) when MIME export was asked for; not stored in the database.</summary>
    public byte[]? Mime { get; set; }
}

public sealed class ReadFlagChange
{
    public ReadFlagChange(string itemId, bool isRead, string? changeKey = null)
    {
        ItemId = itemId;
        IsRead = isRead;
        ChangeKey = changeKey;
    }

    public string ItemId { get; }
    public bool IsRead { get; }

    /// <summary>The item's new change key: marking an item read changes its version too.</summary>
    public string? ChangeKey { get; }
}

public sealed class ItemPage
{
    public ItemPage(string state, bool isLast, IReadOnlyList<MailItem> upserts, IReadOnlyList<string> deletes,
        IReadOnlyList<ReadFlagChange> readFlags)
    {
        State = state;
        IsLast = isLast;
        Upserts = upserts;
        Deletes = deletes;
        ReadFlags = readFlags;
    }

    public string State { get; }
    public bool IsLast { get; }
    public IReadOnlyList<MailItem> Upserts { get; }
    public IReadOnlyList<string> Deletes { get; }
    public IReadOnlyList<ReadFlagChange> ReadFlags { get; }
}
