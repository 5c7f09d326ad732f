using System;

namespace InboxPS.Core.Sync;

/// <summary>The stored properties of a <see cref="MailItem"/>, as flags: which ones an item carries.</summary>
[Flags]
public enum MailItemProperties
{
    None = 0,
    ChangeKey = 1 << 0,
    ItemClass = 1 << 1,
    InternetMessageId = 1 << 2,
    ConversationId = 1 << 3,
    Subject = 1 << 4,
    Sender = 1 << 5,
    ToRecipients = 1 << 6,
    CcRecipients = 1 << 7,
    Sent = 1 << 8,
    Received = 1 << 9,
    Size = 1 << 10,
    IsRead = 1 << 11,
    HasAttachments = 1 << 12,
    All = (1 << 13) - 1,
}
