using System;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Auth;

/// <summary>Where an organization signs in and which Exchange resource its tokens are for.</summary>
internal sealed class OAuthSettings
{
    private OAuthSettings(string authority, bool isCustomAuthority, string resource, string? tenantId, string? clientId)
    {
        Authority = authority;
        IsCustomAuthority = isCustomAuthority;
        Resource = resource;
        TenantId = tenantId;
        ClientId = clientId;
    }

    public string Authority { get; }

    /// <summary>An -Authority the admin gave: MSAL must not validate it against Microsoft's list of known clouds.</summary>
    public bool IsCustomAuthority { get; }

    /// <summary>The audience of the tokens, e.g. https://outlook.office365.com or https://graph.microsoft.com.</summary>
    public string Resource { get; }

    public string? TenantId { get; }

    public string? ClientId { get; }

    public string[] DelegatedScopes => new[] { Resource + "/EWS.AccessAsUser.All" };

    public string[] AppOnlyScopes => new[] { Resource + "/.default" };

    public static OAuthSettings For(OrganizationProfile profile)
    {
        // Entra ID issues EWS tokens for the cloud's "Office 365 Exchange Online" resource, also when the endpoint is
        // reached under another name (Exchange Server with hybrid modern authentication, a test server). Graph tokens
        // likewise are for the cloud's Graph resource, whatever -GraphUrl the requests go to.
        var cloud = ExchangeCloud.For(profile.Environment);
        var resource = (profile.UsesGraph ? cloud.GraphResource : cloud.EwsResource).GetLeftPart(UriPartial.Authority);

        if (profile.Authority is { } custom)
        {
            // A bare host gets the tenant appended, like the cloud defaults; a full authority URL is used as given.
            var authority = custom.AbsolutePath == "/" ? new Uri(custom, TenantSegment(profile.TenantId) + "/") : custom;
            return new OAuthSettings(authority.AbsoluteUri, true, resource, profile.TenantId, profile.ClientId);
        }

        return new OAuthSettings(cloud.AuthorityFor(profile.TenantId).AbsoluteUri, false, resource, profile.TenantId, profile.ClientId);
    }

    private static string TenantSegment(string? tenant) =>
        Uri.EscapeDataString(string.IsNullOrWhiteSpace(tenant) ? "organizations" : tenant!.Trim());
}
