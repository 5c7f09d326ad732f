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

    /// <summary>
    /// Client-credentials OAuth (certificate, secret, managed identity, given token) + Microsoft Graph's mail API with
    /// application permissions (Mail.Read). Exchange Online's path after EWS: blocked from 1 October 2026, off from 1 April 2027.
    /// </summary>
    GraphAppOnly,
}
