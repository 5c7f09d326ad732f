using System;

namespace InboxPS.Core.Sync;

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
