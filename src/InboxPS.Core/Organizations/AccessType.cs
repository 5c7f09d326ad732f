namespace InboxPS.Core.Organizations;

/// <summary>How InboxPS reaches the organization's mailboxes (the admin panel's "Mailbox Access Type").</summary>
public enum AccessType
{
    /// <summary>Delegated OAuth sign-in of the service account + EWS impersonation (needs ApplicationImpersonation).</summary>
    OAuthImpersonation,

    /// <summary>Client-credentials OAuth (certificate, secret, managed identity, given token) + EWS impersonation.</summary>
    OAuthAppOnly,

    /// <summary>Username and password of the service account + EWS impersonation; Exchange Server on-premises only.</summary>
    BasicImpersonation,
}
