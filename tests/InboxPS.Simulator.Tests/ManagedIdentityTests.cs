using System.Net;
using InboxPS.Simulator.Tests.Support;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// Managed identity the way Azure Automation and App Service provide it: IDENTITY_ENDPOINT + IDENTITY_HEADER in the
/// environment, read by MSAL's own managed identity support.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class ManagedIdentityTests
{
    [Fact]
    public async Task MsalGetsAManagedIdentityTokenThatEwsAccepts()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1 });
        using var http = new SimulatorTrustFactory(sim.CaCertificatePath);
        using var environment = new EnvironmentScope(("IDENTITY_ENDPOINT", sim.ManagedIdentityEndpoint.ToString()), ("IDENTITY_HEADER", sim.ManagedIdentityHeader));
        var app = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.SystemAssigned).WithHttpClientFactory(http).Build();

        var result = await app.AcquireTokenForManagedIdentity("https://outlook.office365.com").ExecuteAsync();

        Assert.Equal(sim.ManagedIdentityClientId, IdentityTests.Claims(result.AccessToken).GetProperty("appid").GetString());
        Assert.Equal(1, sim.Control.Metrics.TokenRequestsByGrant["managed_identity"]);
        using var client = EwsClient.Bearer(sim, result.AccessToken);
        Assert.Equal("NoError", (await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test")).ResponseCode);
    }

    [Fact]
    public async Task TheEndpointRefusesCallersWithoutTheIdentityHeader()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1 });
        using var http = new HttpClient(sim.CreateTrustingHandler());

        using var response = await http.GetAsync(sim.ManagedIdentityEndpoint + "?api-version=2019-08-01&resource=https://outlook.office365.com");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Sets environment variables for one test and restores the previous values afterwards.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly List<(string Name, string? Previous)> _saved = new();

        public EnvironmentScope(params (string Name, string Value)[] variables)
        {
            foreach (var (name, value) in variables)
            {
                _saved.Add((name, Environment.GetEnvironmentVariable(name)));
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose() => _saved.ForEach(v => Environment.SetEnvironmentVariable(v.Name, v.Previous));
    }
}
