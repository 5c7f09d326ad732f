using System;
using System.Net;

namespace InboxPS.Core.Organizations;

/// <summary>One organization's configuration as kept in the store. Holds no secrets.</summary>
public sealed class OrganizationProfile
{
    public OrganizationProfile(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An organization needs a name.", nameof(name));
        }

        Name = name.Trim();
    }

    public string Name { get; }

    public AccessType AccessType { get; set; } = AccessType.OAuthAppOnly;

    public Uri? EwsUrl { get; set; }

    public ExchangeEnvironment Environment { get; set; } = ExchangeEnvironment.Global;

    /// <summary>Graph endpoint override (a test or proxy endpoint, e.g. https://host/v1.0/); null means the environment's Graph root.</summary>
    public Uri? GraphUrl { get; set; }

    /// <summary>Whether the mailboxes are reached over Microsoft Graph rather than EWS.</summary>
    public bool UsesGraph => AccessType == AccessType.GraphAppOnly;

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Identity endpoint override (sovereign, custom or test authority); null means the environment's default.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The impersonating account (delegated/basic) or the mailbox app-only sign-ins test with.</summary>
    public string? ServiceAccount { get; set; }

    /// <summary>
    /// The proxy EWS, Graph and the sign-in go through (e.g. http://proxy.contoso.com:8080); null means the system's
    /// (HTTPS_PROXY and NO_PROXY, or the Windows setting). Never carries credentials: those are given per session.
    /// </summary>
    public Uri? Proxy { get; set; }

    /// <summary>Answer the proxy's challenge as the signed-in Windows user (Negotiate, NTLM).</summary>
    public bool ProxyUseDefaultCredentials { get; set; }

    public DateTimeOffset CreatedOn { get; set; }

    public DateTimeOffset ModifiedOn { get; set; }

    /// <summary>The proxy this organization's requests take, answering its challenge with <paramref name="credential"/> when given.</summary>
    public ProxySettings ProxyFor(NetworkCredential? credential) => new(Proxy, ProxyUseDefaultCredentials, credential);

    /// <summary>An independent copy, to change without touching the original until it is saved.</summary>
    public OrganizationProfile Copy() => (OrganizationProfile)MemberwiseClone();

    public override string ToString() => Name;
}
