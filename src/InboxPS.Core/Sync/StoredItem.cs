using System;

namespace InboxPS.Core.Sync;

/// <summary>A synced item as the store keeps it, with the display name of its folder (Get-InboxItem).</summary>
public sealed class StoredItem
{
    public StoredItem(string organization, string mailbox, string folderId, string itemId)
    {
        Organization = organization;
        Mailbox = mailbox;
        FolderId = folderId;
        ItemId = itemId;
    }

    public string Organization { get; }
    public string Mailbox { get; }
    public string? Folder { get; set; }
    public DateTimeOffset? Received { get; set; }
    public string? Sender { get; set; }
    public string? Subject { get; set; }
    public long? Size { get; set; }
    public bool? IsRead { get; set; }
    public bool? HasAttachments { get; set; }
    public DateTimeOffset? Sent { get; set; }
    public string? ToRecipients { get; set; }
    public string? CcRecipients { get; set; }
    public string? InternetMessageId { get; set; }
    public string? ItemClass { get; set; }
    public string FolderId { get; }
    public string ItemId { get; }

    /// <summary>The .eml file written at sync time (-IncludeMime); null when the message was not exported then.</summary>
    public string? MimePath { get; set; }

    public override string ToString() => Subject ?? ItemId;
}
