using Microsoft.Identity.Client;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>Real MSAL applications pointed at a simulator, the way InboxPS's admins would configure them.</summary>
public static class Msal
{
    public const string AppOnlyScope = "https://outlook.office365.com/.default";
    public const string DelegatedScope = "https://outlook.office365.com/EWS.AccessAsUser.All";

    public static IConfidentialClientApplication WithSecret(ExchangeSimulator sim, SimulatorTrustFactory http, string? secret = null, string? authority = null) =>
        ConfidentialClientApplicationBuilder.Create(sim.ClientId)
            .WithAuthority(authority ?? sim.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .WithClientSecret(secret ?? sim.ClientSecret)
            .Build();

    public static IPublicClientApplication Public(ExchangeSimulator sim, SimulatorTrustFactory http) =>
        PublicClientApplicationBuilder.Create(sim.DelegatedClientId)
            .WithAuthority(sim.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .WithRedirectUri("http://localhost")
            .Build();

    public static async Task<string> AppOnlyTokenAsync(ExchangeSimulator sim)
    {
        using var http = new SimulatorTrustFactory(sim.CaCertificatePath);
        var result = await WithSecret(sim, http).AcquireTokenForClient(new[] { AppOnlyScope }).ExecuteAsync();
        return result.AccessToken;
    }
}
