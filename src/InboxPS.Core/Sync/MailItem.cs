using System;

namespace InboxPS.Core.Sync;

/// <summary>An item with the properties the store keeps (DESIGN.md §4).</summary>
public sealed class MailItem
{
    // How each property moves from one item to another (Merge).
    private static readonly (MailItemProperties Property, Action<MailItem, MailItem> Copy)[] s_copiers =
    {
        (MailItemProperties.ChangeKey, (from, to) => to.ChangeKey = from.ChangeKey),
        (MailItemProperties.ItemClass, (from, to) => to.ItemClass = from.ItemClass),
        (MailItemProperties.InternetMessageId, (from, to) => to.InternetMessageId = from.InternetMessageId),
        (MailItemProperties.ConversationId, (from, to) => to.ConversationId = from.ConversationId),
        (MailItemProperties.Subject, (from, to) => to.Subject = from.Subject),
        (MailItemProperties.Sender, (from, to) => to.Sender = from.Sender),
        (MailItemProperties.ToRecipients, (from, to) => to.ToRecipients = from.ToRecipients),
        (MailItemProperties.CcRecipients, (from, to) => to.CcRecipients = from.CcRecipients),
        (MailItemProperties.Sent, (from, to) => to.Sent = from.Sent),
        (MailItemProperties.Received, (from, to) => to.Received = from.Received),
        (MailItemProperties.Size, (from, to) => to.Size = from.Size),
        (MailItemProperties.IsRead, (from, to) => to.IsRead = from.IsRead),
        (MailItemProperties.HasAttachments, (from, to) => to.HasAttachments = from.HasAttachments),
    };

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

    /// <summary>
    /// The properties this item carries. All (the default): the item whole, a null is a null. Fewer: a partial update
    /// (the server sent only what changed); the others are unchanged and not known here, so the store keeps what it has.
    /// </summary>
    public MailItemProperties Properties { get; set; } = MailItemProperties.All;

    public bool IsPartial => Properties != MailItemProperties.All;

    /// <summary>The raw message (RFC 822) when MIME export was asked for; not stored in the database.</summary>
    public byte[]? Mime { get; set; }

    public bool Carries(MailItemProperties properties) => (Properties & properties) == properties;

    /// <summary>Takes over the properties <paramref name="later"/> carries (a later change of the same item); this item
    /// then carries those as well as its own.</summary>
    public void Merge(MailItem later)
    {
        foreach (var (property, copy) in s_copiers)
        {
            if (later.Carries(property))
            {
                copy(later, this);
            }
        }

        Properties |= later.Properties;
    }
}
