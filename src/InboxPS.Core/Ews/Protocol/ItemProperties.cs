using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>The item shape InboxPS asks GetItem for (what the store keeps, DESIGN.md §4) and how to read an item.</summary>
internal static class ItemProperties
{
    private static readonly string[] s_fieldUris =
    {
        "item:ParentFolderId", "item:ItemClass", "item:Subject", "message:InternetMessageId", "item:ConversationId",
        "message:From", "message:ToRecipients", "message:CcRecipients", "item:DateTimeSent", "item:DateTimeReceived",
        "item:Size", "message:IsRead", "item:HasAttachments",
    };

    public static void WriteShape(XmlWriter writer, bool includeMimeContent)
    {
        writer.WriteStartElement("m", "ItemShape", EwsNamespaces.Messages);
        SoapRequestWriter.WriteIdOnlyBaseShape(writer);
        if (includeMimeContent)
        {
            writer.WriteElementString("t", "IncludeMimeContent", EwsNamespaces.Types, "true");
        }

        SoapRequestWriter.WriteAdditionalProperties(writer, s_fieldUris);
        writer.WriteEndElement();
    }

    /// <summary>Reads any item element (Message, MeetingRequest, CalendarItem...); properties it lacks stay null.</summary>
    public static async ValueTask<EwsItem> ReadAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        var element = reader.LocalName;
        string? itemId = null;
        string? changeKey = null;
        string? parentFolderId = null;
        string? itemClass = null;
        string? subject = null;
        string? internetMessageId = null;
        string? conversationId = null;
        EmailAddress? from = null;
        IReadOnlyList<EmailAddress>? to = null;
        IReadOnlyList<EmailAddress>? cc = null;
        DateTimeOffset? sent = null;
        DateTimeOffset? received = null;
        int? size = null;
        bool? isRead = null;
        bool? hasAttachments = null;
        byte[]? mime = null;

        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            var name = reader.LocalName;
            if (ReferenceEquals(name, names.ItemId))
            {
                itemId = reader.GetAttribute(names.Id);
                changeKey = reader.GetAttribute(names.ChangeKey);
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.ParentFolderId))
            {
                parentFolderId = reader.GetAttribute(names.Id);
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.ConversationId))
            {
                conversationId = reader.GetAttribute(names.Id);
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.ItemClass))
            {
                itemClass = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.Subject))
            {
                subject = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.InternetMessageId))
            {
                internetMessageId = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.From))
            {
                from = await reader.ReadFirstChildAsync(ReadMailboxAsync).ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.ToRecipients))
            {
                to = await ReadMailboxesAsync(reader).ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.CcRecipients))
            {
                cc = await ReadMailboxesAsync(reader).ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.DateTimeSent))
            {
                sent = await reader.ReadDateTimeAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.DateTimeReceived))
            {
                received = await reader.ReadDateTimeAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.Size))
            {
                size = await reader.ReadIntAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.IsRead))
            {
                isRead = await reader.ReadBoolAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.HasAttachments))
            {
                hasAttachments = await reader.ReadBoolAsync().ConfigureAwait(false);
            }
            else if (ReferenceEquals(name, names.MimeContent))
            {
                mime = await reader.ReadBase64Async().ConfigureAwait(false);
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        if (string.IsNullOrEmpty(itemId))
        {
            throw reader.Invalid($"a <{element}> has no ItemId");
        }

        return new EwsItem(itemId!, changeKey, parentFolderId, itemClass, subject, internetMessageId, conversationId, from,
            to, cc, sent, received, size, isRead, hasAttachments, mime);
    }

    // <t:ToRecipients><t:Mailbox>...</t:Mailbox>...</t:ToRecipients>
    private static async ValueTask<IReadOnlyList<EmailAddress>> ReadMailboxesAsync(EwsXmlReader reader)
    {
        var mailboxes = new List<EmailAddress>();
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(reader.Names.Mailbox))
            {
                mailboxes.Add(await ReadMailboxAsync(reader).ConfigureAwait(false));
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        return mailboxes;
    }

    private static async ValueTask<EmailAddress> ReadMailboxAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        string? name = null;
        string? address = null;
        string? routingType = null;
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(names.Name))
            {
                name = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.EmailAddress))
            {
                address = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.RoutingType))
            {
                routingType = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        return new EmailAddress(name, address, routingType);
    }
}
