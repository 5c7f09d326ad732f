using System;
using System.Collections.Generic;

namespace InboxPS.Core.Ews;

/// <summary>An item with the properties the store keeps (DESIGN.md §4), as GetItem returns it.</summary>
public sealed class EwsItem
{
    private static readonly EmailAddress[] s_none = new EmailAddress[0];

    public EwsItem(string itemId, string? changeKey = null, string? parentFolderId = null, string? itemClass = null,
        string? subject = null, string? internetMessageId = null, string? conversationId = null, EmailAddress? from = null,
        IReadOnlyList<EmailAddress>? toRecipients = null, IReadOnlyList<EmailAddress>? ccRecipients = null,
        DateTimeOffset? dateTimeSent = null, DateTimeOffset? dateTimeReceived = null, int? size = null, bool? isRead = null,
        bool? hasAttachments = null, byte[]? mimeContent = null)
    {
        ItemId = itemId;
        ChangeKey = changeKey;
        ParentFolderId = parentFolderId;
        ItemClass = itemClass;
        Subject = subject;
        InternetMessageId = internetMessageId;
        ConversationId = conversationId;
        From = from;
        ToRecipients = toRecipients ?? s_none;
        CcRecipients = ccRecipients ?? s_none;
        DateTimeSent = dateTimeSent;
        DateTimeReceived = dateTimeReceived;
        Size = size;
        IsRead = isRead;
        HasAttachments = hasAttachments;
        MimeContent = mimeContent;
    }

    public string ItemId { get; }
    public string? ChangeKey { get; }
    public string? ParentFolderId { get; }

    /// <summary>IPM.Note for mail; IPM.Schedule.Meeting.Request, IPM.Appointment... for others.</summary>
    public string? ItemClass { get; }

    public string? Subject { get; }
    public string? InternetMessageId { get; }
    public string? ConversationId { get; }
    public EmailAddress? From { get; }
    public IReadOnlyList<EmailAddress> ToRecipients { get; }
    public IReadOnlyList<EmailAddress> CcRecipients { get; }
    public DateTimeOffset? DateTimeSent { get; }
    public DateTimeOffset? DateTimeReceived { get; }

    /// <summary>Bytes, as Exchange counts them.</summary>
    public int? Size { get; }

    public bool? IsRead { get; }
    public bool? HasAttachments { get; }

    /// <summary>The RFC 822 message, when GetItemsAsync was asked for MIME content.</summary>
    public byte[]? MimeContent { get; }

    public override string ToString() => Subject ?? ItemId;
}
