using System;
using System.Linq;

namespace InboxPS.Core.Organizations;

/// <summary>
/// The sign-in authority and EWS resource of one Microsoft cloud. Tokens are not interchangeable between clouds, so
/// every OAuth sign-in starts from the organization's environment.
/// </summary>
public sealed class ExchangeCloud
{
    private static readonly ExchangeCloud[] s_clouds =
    {
        new(ExchangeEnvironment.Global, "https://login.microsoftonline.com/", "https://outlook.office365.com", "https://graph.microsoft.com", "outlook.office.com"),
        new(ExchangeEnvironment.USGovGCCHigh, "https://login.microsoftonline.us/", "https://outlook.office365.us", "https://graph.microsoft.us"),
        new(ExchangeEnvironment.USGovDoD, "https://login.microsoftonline.us/", "https://webmail.apps.mil", "https://dod-graph.microsoft.us"),
        new(ExchangeEnvironment.China, "https://login.chinacloudapi.cn/", "https://partner.outlook.cn", "https://microsoftgraph.chinacloudapi.cn"),
    };

    private readonly string[] _exchangeOnlineHosts;

    private ExchangeCloud(ExchangeEnvironment environment, string authorityHost, string ewsResource, string graphResource, params string[] otherHosts)
    {
        Environment = environment;
        AuthorityHost = new Uri(authorityHost);
        EwsResource = new Uri(ewsResource);
        GraphResource = new Uri(graphResource);
        _exchangeOnlineHosts = new[] { EwsResource.Host }.Concat(otherHosts).ToArray();
    }

    public ExchangeEnvironment Environment { get; }

    /// <summary>Where this cloud's Entra ID signs accounts in, e.g. https://login.microsoftonline.com/.</summary>
    public Uri AuthorityHost { get; }

    /// <summary>The Exchange Online resource tokens are issued for, e.g. https://outlook.office365.com.</summary>
    public Uri EwsResource { get; }

    /// <summary>This cloud's Microsoft Graph: the audience of Graph tokens and, with /v1.0/, the API root (e.g. https://graph.microsoft.com).</summary>
    public Uri GraphResource { get; }

    /// <summary>Exchange Online's EWS endpoint in this cloud.</summary>
    public Uri DefaultEwsUrl => new(EwsResource, "/EWS/Exchange.asmx");

    public static ExchangeCloud For(ExchangeEnvironment environment) =>
        s_clouds.First(c => c.Environment == environment);

    /// <summary>The cloud whose Exchange Online serves <paramref name="ewsUrl"/>, or null for Exchange Server (on-premises).</summary>
    public static ExchangeCloud? Hosting(Uri? ewsUrl) =>
        ewsUrl is null ? null : s_clouds.FirstOrDefault(c => c._exchangeOnlineHosts.Contains(ewsUrl.Host, StringComparer.OrdinalIgnoreCase));

    public static bool IsExchangeOnline(Uri? ewsUrl) => Hosting(ewsUrl) is not null;

    /// <summary>The authority for <paramref name="tenant"/>; "organizations" (any work account) when no tenant is known.</summary>
    public Uri AuthorityFor(string? tenant) =>
        new(AuthorityHost, Uri.EscapeDataString(string.IsNullOrWhiteSpace(tenant) ? "organizations" : tenant!.Trim()) + "/");

    public override string ToString() => Environment.ToString();
}
