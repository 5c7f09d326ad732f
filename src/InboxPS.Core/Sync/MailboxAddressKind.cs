namespace InboxPS.Core.Sync;

public enum MailboxAddressKind
{
    SmtpAddress,
    PrincipalName,
}
