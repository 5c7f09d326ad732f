namespace InboxPS.Core.Sync;

/// <summary>How the engine reaches mailboxes (EWS today). One session per mailbox; a session is used by one worker.</summary>
public interface IMailboxProtocol
{
    IMailboxSession Open(MailboxTarget mailbox);
}
