namespace InboxPS.Core.Sync;

public enum MailboxAddressKind
{
    SmtpAddress,
    PrincipalName,

    /// <summary>The Entra object id (Get-MgUser's Id): Microsoft Graph addresses a user by it, EWS cannot.</summary>
    DirectoryObjectId,
}
