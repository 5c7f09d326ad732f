using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>The control API's Graph additions over HTTP, the one ground truth seen by both protocols, and per-protocol metrics.</summary>
public sealed class GraphControlApiTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static async Task<(ExchangeSimulator Sim, HttpClient Control)> StartAsync()
    {
        var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 4, ItemsPerFolder = 8, BrokenMailboxes = true });
        return (sim, new HttpClient(sim.CreateTrustingHandler()) { BaseAddress = sim.ControlUrl });
    }

    private static async Task<JsonElement> PostAsync(HttpClient control, string path, object body)
    {
        using var response = await control.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task GraphSwitchesWorkOverHttp()
    {
        var (sim, control) = await StartAsync();
        await using var _ = sim;
        using var __ = control;
        using var graph = await GraphHttp.SignInAsync(sim);

        await PostAsync(control, "graph/quirks", new { quirk = "Http504", count = 1, mailbox = "user0001@contoso.test" });
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox")).Status);

        await PostAsync(control, "graph/throttling", new { requestsPerWindow = 1, retryAfterMs = 1500 });
        await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox");
        // Over the request window, Retry-After is the time until the oldest request leaves the 10 minutes.
        var windowFull = double.Parse((await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox")).Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(windowFull, 590, 600);
        await PostAsync(control, "graph/throttling", new { requestsPerWindow = 10000 });
        await PostAsync(control, "graph/throttling/clear-retry-afters", new { });
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox")).Status);
        await PostAsync(control, "mailboxes/user0002@contoso.test/throttle", new { busyCalls = 1 });
        Assert.Equal("1.5", (await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox")).Header("Retry-After"));
        await PostAsync(control, "graph/throttling/clear-retry-afters", new { });

        await PostAsync(control, "graph/scope", new { principal = sim.ClientId, scope = "Mailboxes", mailboxes = new[] { "user0003@contoso.test" } });
        Assert.Equal(HttpStatusCode.Forbidden, (await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox")).Status);
        await PostAsync(control, "graph/scope", new { principal = sim.ClientId, scope = "All" });

        var round = await graph.RoundAsync("users/user0003@contoso.test/mailFolders/inbox/messages/delta");
        await PostAsync(control, "graph/delta-tokens/expire", new { mailbox = "user0003@contoso.test", folder = "inbox" });
        Assert.Equal(HttpStatusCode.Gone, (await graph.GetAsync(round.DeltaLink)).Status);

        await PostAsync(control, "graph/permissions", new { clientId = sim.ClientId, roles = new[] { "Mail.Read" } });
        Assert.Equal(new[] { "Mail.Read" }, sim.Control.GraphPermissions(sim.ClientId));
        using var mailOnly = await GraphHttp.SignInAsync(sim);
        Assert.Equal(HttpStatusCode.Forbidden, (await mailOnly.GetAsync("users")).Status);

        await PostAsync(control, "graph/cloud", new { cloud = "China" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await mailOnly.GetAsync("users/user0003@contoso.test/mailFolders/inbox")).Status);
        Assert.Equal("https://microsoftgraph.chinacloudapi.cn/.default", sim.GraphScope);
    }

    [Fact]
    public async Task AMoveAndItsIdsAreVisibleThroughTheControlApiAndBothProtocols()
    {
        var (sim, control) = await StartAsync();
        await using var _ = sim;
        using var __ = control;
        var item = sim.Control.GetItems("user0001@contoso.test")[0];
        var immutable = (await control.GetFromJsonAsync<JsonElement>($"graph/ids?itemId={Uri.EscapeDataString(item.ItemId)}&immutable=true")).GetProperty("graphId").GetString();

        var moved = (await PostAsync(control, "items/move", new { itemId = item.ItemId, folder = "archive" })).GetProperty("itemId").GetString()!;

        Assert.DoesNotContain(sim.Control.GetItems("user0001@contoso.test"), i => i.ItemId == item.ItemId);
        var inArchive = sim.Control.GetItems("user0001@contoso.test", "archive").Single(i => i.ItemId == moved);
        Assert.Equal(item.Subject, inArchive.Subject);
        Assert.Equal(item.InternetMessageId, inArchive.InternetMessageId);
        Assert.Equal(immutable, sim.Control.GraphItemId(moved, immutable: true));

        // EWS sees the move as Exchange reports it: a delete in Inbox and a create in Archive.
        using var ews = EwsClient.Bearer(sim, await Msal.AppOnlyTokenAsync(sim));
        var get = await ews.SendAsync(Ops.GetItem(new[] { item.ItemId, moved }, "IdOnly"), "user0001@contoso.test");
        Assert.Equal(new[] { "ErrorItemNotFound", "NoError" }, get.Messages.Select(m => (string)m.Element(EwsClient.M + "ResponseCode")!));
    }

    [Fact]
    public async Task MetricsCountEachProtocolApart()
    {
        var (sim, control) = await StartAsync();
        await using var _ = sim;
        using var __ = control;
        using var graph = await GraphHttp.SignInAsync(sim);
        using var ews = EwsClient.Bearer(sim, await Msal.AppOnlyTokenAsync(sim));
        sim.Control.ResetMetrics();

        await graph.RoundAsync("users/user0001@contoso.test/mailFolders/inbox/messages/delta", "Prefer: odata.maxpagesize=3");
        await graph.GetAsync("users?$top=2");
        await graph.GetAsync("users/nobody@contoso.test/mailFolders/inbox");
        await ews.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");
        using (var anonymous = new GraphHttp(sim, null))
        {
            await anonymous.GetAsync("users");
        }

        var metrics = await control.GetFromJsonAsync<JsonElement>("metrics");
        var g = metrics.GetProperty("graph");
        Assert.Equal(1, metrics.GetProperty("ewsRequests").GetInt64());
        Assert.Equal(3, g.GetProperty("requestsByEndpoint").GetProperty("messages/delta").GetInt64());
        Assert.Equal(1, g.GetProperty("requestsByEndpoint").GetProperty("users").GetInt64());
        Assert.Equal(6, g.GetProperty("requests").GetInt64());
        Assert.Equal(1, g.GetProperty("responsesByStatus").GetProperty("404").GetInt64());
        Assert.Equal(1, g.GetProperty("unauthorized").GetInt64());
        Assert.Equal(1, g.GetProperty("peakConcurrencyByMailbox").GetProperty("user0001@contoso.test").GetInt32());
        Assert.True(g.GetProperty("busyTime").GetString() is { Length: > 0 });
    }
}
