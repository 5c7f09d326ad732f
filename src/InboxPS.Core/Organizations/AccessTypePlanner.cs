using System;
using System.Collections.Generic;
using System.Globalization;

namespace InboxPS.Core.Organizations;

/// <summary>
/// Decides an organization's access type, cloud and EWS URL the way an Exchange admin would: refuses what cannot work
/// (basic auth against Exchange Online, credentials over plain http) and warns about what is ending.
/// </summary>
public static class AccessTypePlanner
{
    /// <summary>Exchange Online starts blocking EWS for tenants that did not allow-list their app (MC1227454).</summary>
    public static readonly DateTimeOffset EwsBlockingStarts = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Exchange Online switches EWS off for every tenant, no exceptions (MC1227454).</summary>
    public static readonly DateTimeOffset EwsShutdown = new(2027, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <exception cref="InboxException">The combination cannot work; the message says why and what to use instead.</exception>
    public static AccessTypePlan Plan(OrganizationProfile? existing, AccessTypeRequest request, DateTimeOffset now)
    {
        if (existing is null)
        {
            OrganizationErrors.RequireValidName(request.Organization);
        }

        var environment = ChooseEnvironment(existing, request);
        var ewsUrl = ChooseEwsUrl(existing, request, environment);
        Validate(request, ewsUrl);
        var graphUrl = request.GraphUrl ?? existing?.GraphUrl;
        ValidateGraphUrl(request, graphUrl);
        var proxy = request.UseSystemProxy ? null : request.Proxy ?? existing?.Proxy;
        ValidateProxy(request.Organization, request.Proxy);

        var profile = existing?.Copy() ?? new OrganizationProfile(request.Organization);
        profile.AccessType = request.AccessType;
        profile.Environment = environment;
        profile.EwsUrl = ewsUrl;
        profile.GraphUrl = graphUrl;
        profile.Proxy = proxy;
        profile.ProxyUseDefaultCredentials = request.ProxyUseDefaultCredentials ?? existing?.ProxyUseDefaultCredentials ?? false;

        var invalidates = existing is not null &&
            (existing.AccessType != profile.AccessType || existing.Environment != profile.Environment || existing.EwsUrl != profile.EwsUrl
             || existing.GraphUrl != profile.GraphUrl);
        var switches = existing is not null && existing.UsesGraph != profile.UsesGraph;
        var warnings = new List<string>(Warnings(profile, now));
        if (switches)
        {
            var protocol = profile.UsesGraph ? "Microsoft Graph" : "EWS";
            warnings.Add($"'{profile.Name}' moves to {protocol}: its activated users stay, but item and folder ids differ between EWS and Graph, " +
                "so the next Start-InboxSync re-baselines every activated user: it reads each folder whole and matches the stored items " +
                "by Internet message id (kept, not added twice; those no longer on the server removed). Results show Rebaselined.");
        }

        var changesProxy = existing is not null &&
            (existing.Proxy != profile.Proxy || existing.ProxyUseDefaultCredentials != profile.ProxyUseDefaultCredentials);
        return new AccessTypePlan(profile, existing is null, invalidates, warnings, switches, changesProxy);
    }

    /// <summary>The one command that moves an organization from EWS to Microsoft Graph.</summary>
    public static string SwitchToGraphCommand(string organization) =>
        $"Set-InboxAccessType -Organization {organization} -AccessType {AccessType.GraphAppOnly}";

    /// <summary>What an admin should know about this profile today: removed roles and the EWS shutdown.</summary>
    public static IReadOnlyList<string> Warnings(OrganizationProfile profile, DateTimeOffset now)
    {
        var warnings = new List<string>();
        if (profile.UsesGraph)
        {
            if (profile.Environment == ExchangeEnvironment.China && profile.GraphUrl is null)
            {
                warnings.Add("Microsoft Graph operated by 21Vianet (China) has no delta queries for mail folders or messages in v1.0, so " +
                    $"Start-InboxSync over {AccessType.GraphAppOnly} fails there (GraphDeltaUnsupported); Exchange Online in China still serves EWS " +
                    $"(-AccessType {AccessType.OAuthAppOnly}).");
            }

            return warnings;
        }

        if (!ExchangeCloud.IsExchangeOnline(profile.EwsUrl))
        {
            return warnings;
        }

        if (profile.AccessType == AccessType.OAuthImpersonation)
        {
            warnings.Add("OAuthImpersonation needs the ApplicationImpersonation role, which Microsoft removed from Exchange Online in February 2025: " +
                $"impersonation by a signed-in service account fails there. For Exchange Online use -AccessType {AccessType.OAuthAppOnly} " +
                "(an app registration with the full_access_as_app application permission).");
        }

        warnings.Add(EwsRetirementWarning(now) + $" Move this organization to Microsoft Graph (application permission Mail.Read): {SwitchToGraphCommand(profile.Name)}");
        return warnings;
    }

    private static string EwsRetirementWarning(DateTimeOffset now)
    {
        var shutdown = EwsShutdown.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        const string allowList = "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs <your app id>";
        if (now >= EwsShutdown)
        {
            return $"Microsoft switched EWS off in Exchange Online on {shutdown}; requests to Exchange Online will fail. Exchange Server (on-premises) is not affected.";
        }

        var blocking = EwsBlockingStarts.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var phase = now >= EwsBlockingStarts
            ? $"Exchange Online has been blocking EWS since {blocking} for tenants that did not allow-list their app"
            : $"Exchange Online starts blocking EWS on {blocking} for tenants that did not allow-list their app";
        return $"{phase} ({allowList}), and switches EWS off for everyone on {shutdown}.";
    }

    private static ExchangeEnvironment ChooseEnvironment(OrganizationProfile? existing, AccessTypeRequest request)
    {
        var hostCloud = ExchangeCloud.Hosting(request.EwsUrl);
        if (request.Environment is { } asked)
        {
            if (hostCloud is not null && hostCloud.Environment != asked)
            {
                throw new InboxException("EnvironmentMismatch", InboxErrorKind.InvalidArgument,
                    $"The EWS URL '{request.EwsUrl}' belongs to the {hostCloud.Environment} cloud, not {asked}.",
                    $"Use -Environment {hostCloud.Environment}, or the EWS URL of the {asked} cloud ({ExchangeCloud.For(asked).DefaultEwsUrl}).",
                    request.Organization);
            }

            return asked;
        }

        return hostCloud?.Environment ?? existing?.Environment ?? ExchangeEnvironment.Global;
    }

    private static Uri? ChooseEwsUrl(OrganizationProfile? existing, AccessTypeRequest request, ExchangeEnvironment environment)
    {
        if (request.EwsUrl is { } given)
        {
            // Admins often paste the server's address only; EWS always lives at /EWS/Exchange.asmx.
            return given.AbsolutePath == "/" ? new Uri(given, "/EWS/Exchange.asmx") : given;
        }

        var current = existing?.EwsUrl;
        var currentIsCloudDefault = current is not null && ExchangeCloud.Hosting(current) is { } cloud && current == cloud.DefaultEwsUrl;
        if (current is not null && !currentIsCloudDefault)
        {
            return current;
        }

        // Exchange Online's endpoint is known; Exchange Server's is the admin's to give.
        return request.AccessType == AccessType.BasicImpersonation ? null : ExchangeCloud.For(environment).DefaultEwsUrl;
    }

    private static void ValidateGraphUrl(AccessTypeRequest request, Uri? graphUrl)
    {
        if (graphUrl is not null)
        {
            RequireSafeEndpoint(request.Organization, graphUrl, "Graph", "a Microsoft Graph endpoint", "https://<host>/v1.0/, or leave it out for the cloud's Graph",
                "the app's access tokens");
        }
    }

    /// <summary>An absolute http(s) address of a proxy, without a user name or password (those would be stored in the clear).</summary>
    private static void ValidateProxy(string name, Uri? proxy)
    {
        if (proxy is null)
        {
            return;
        }

        if (!proxy.IsAbsoluteUri || (proxy.Scheme != Uri.UriSchemeHttp && proxy.Scheme != Uri.UriSchemeHttps) || proxy.Host.Length == 0)
        {
            throw new InboxException("InvalidProxy", InboxErrorKind.InvalidArgument,
                $"'{(proxy.IsAbsoluteUri ? proxy.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "(a relative address)")}' is not the http address of a proxy.",
                "Give -Proxy as http://<proxy host>:<port>, e.g. http://proxy.contoso.com:8080, or -Proxy $null for the system's proxy.", name);
        }

        if (proxy.UserInfo.Length > 0)
        {
            // The message leaves the user info out: it may hold the password.
            throw new InboxException("ProxyCredentialInUrl", InboxErrorKind.InvalidArgument,
                $"The proxy address for '{name}' holds a user name or password, which the organization's profile would keep in the clear.",
                $"Give -Proxy {proxy.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)} without them, and the credential with Connect-InboxImpersonation -ProxyCredential (Get-Credential).",
                name);
        }
    }

    /// <summary>An absolute http(s) address, and plain http only to this machine: credentials never cross a network in clear text.</summary>
    private static void RequireSafeEndpoint(string name, Uri url, string protocol, string what, string example, string secrets)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new InboxException($"Invalid{protocol}Url", InboxErrorKind.InvalidArgument,
                $"'{url}' is not an http(s) address of {what}.", $"Give -{protocol}Url as {example}.", name);
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            throw new InboxException($"Insecure{protocol}Url", InboxErrorKind.InvalidArgument,
                $"'{url}' uses plain http: {secrets} would cross the network unencrypted.",
                $"Use the https address of the {protocol} endpoint.", name);
        }
    }

    private static void Validate(AccessTypeRequest request, Uri? ewsUrl)
    {
        var name = request.Organization;
        if (ewsUrl is null)
        {
            throw new InboxException("EwsUrlRequired", InboxErrorKind.InvalidArgument,
                $"{AccessType.BasicImpersonation} is for Exchange Server (on-premises), whose EWS address InboxPS cannot guess.",
                "Add -EwsUrl https://<your Exchange server>/EWS/Exchange.asmx.", name);
        }

        RequireSafeEndpoint(name, ewsUrl, "Ews", "an EWS endpoint", "https://<server>/EWS/Exchange.asmx", "the service account's password or token");

        if (request.AccessType == AccessType.BasicImpersonation && ExchangeCloud.IsExchangeOnline(ewsUrl))
        {
            throw new InboxException("BasicAuthNotSupported", InboxErrorKind.InvalidArgument,
                $"Exchange Online ({ewsUrl.Host}) turned basic authentication for EWS off in October 2022, so {AccessType.BasicImpersonation} cannot work there.",
                $"Use -AccessType {AccessType.OAuthAppOnly} with an app registration that has the full_access_as_app permission.", name);
        }
    }
}
