namespace InboxPS.Core.Sync;

// MailChangeKind, MailFolder, FolderChange, FolderPage, MailItem, ReadFlagChange and ItemPage are the protocol-neutral
// shape of what sync reads from a mailbox. EWS fills them today; a Microsoft Graph access type (delta queries) fills the
// same shapes without the engine or the store changing.

/// <summary>What a change in a page does to the stored copy.</summary>
public enum MailChangeKind
{
    Upsert,
    Delete,
}
