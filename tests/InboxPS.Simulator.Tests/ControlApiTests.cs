using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>The HTTP control API (what the Pester suites and the demo use) maps onto the same operations as the C# API.</summary>
public sealed class ControlApiTests : IClassFixture<SimulatorFixture>, IDisposable
{
    private readonly ExchangeSimulator _sim;
    private readonly HttpClient _http;

    public ControlApiTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
        _http = new HttpClient(_sim.CreateTrustingHandler()) { BaseAddress = _sim.ControlUrl };
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task TheRootDescribesTheSimulatorLikeTheJsonLine()
    {
        Assert.Equal(_sim.ConnectionInfoJson(), await _http.GetStringAsync(""));
    }

    [Fact]
    public async Task UsersIncludeTheBrokenOnesWithWhatIsWrongWithThem()
    {
        var noLicense = await GetAsync("users/nolicense@contoso.test");
        var page = await GetAsync("users?skip=58&take=4");

        Assert.False(noLicense.GetProperty("hasMailbox").GetBoolean());
        Assert.False(noLicense.GetProperty("licensed").GetBoolean());
        Assert.Equal("NoLicense", noLicense.GetProperty("broken").GetString());
        Assert.Equal(new[] { "user0059@contoso.test", "user0060@contoso.test", "outofscope@contoso.test", "nolicense@contoso.test" },
            page.EnumerateArray().Select(u => u.GetProperty("primarySmtpAddress").GetString()));
    }

    [Fact]
    public async Task InjectedChangesShowInTheGroundTruth()
    {
        const string mailbox = "user0055@contoso.test";
        var before = await GetAsync($"mailboxes/{mailbox}/items?folder=sentitems");

        var changes = await PostAsync($"mailboxes/{mailbox}/changes", new { folder = "sentitems", creates = 2, deletes = 1, readFlagChanges = 1 });
        var after = await GetAsync($"mailboxes/{mailbox}/items?folder=sentitems");

        var ids = after.EnumerateArray().Select(i => i.GetProperty("itemId").GetString()).ToList();
        Assert.Equal(before.GetArrayLength() + 1, after.GetArrayLength());
        Assert.All(changes.GetProperty("created").EnumerateArray(), id => Assert.Contains(id.GetString(), ids));
        Assert.DoesNotContain(changes.GetProperty("deleted")[0].GetString(), ids);
    }

    [Fact]
    public async Task AFaultInjectedOverHttpHitsTheNextEwsCall()
    {
        const string mailbox = "user0056@contoso.test";
        await PostAsync("faults/inject", new { kind = "Http500", count = 1, mailbox });
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), mailbox);

        Assert.Equal("ErrorInternalServerError", answer.FaultCode);
    }

    [Fact]
    public async Task FoldersCanBeCreatedAndListed()
    {
        const string mailbox = "user0057@contoso.test";

        var created = await PostAsync($"mailboxes/{mailbox}/folders", new { displayName = "Invoices", parentFolder = "inbox" });
        var folders = await GetAsync($"mailboxes/{mailbox}/folders");

        Assert.Contains(folders.EnumerateArray(), f =>
            f.GetProperty("folderId").GetString() == created.GetProperty("folderId").GetString() && f.GetProperty("displayName").GetString() == "Invoices");
    }

    [Fact]
    public async Task BadInputIsA400WithTheReason()
    {
        using var unknownUser = await _http.PostAsJsonAsync("mailboxes/nobody@contoso.test/changes", new { creates = 1 });
        using var missingField = await _http.PostAsJsonAsync("device-codes/approve", new { user = "user0001@contoso.test" });
        var unknownCode = await PostAsync("device-codes/approve", new { userCode = "NOSUCHCODE" });

        Assert.Equal(HttpStatusCode.BadRequest, unknownUser.StatusCode);
        Assert.Contains("nobody@contoso.test", await unknownUser.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, missingField.StatusCode);
        Assert.False(unknownCode.GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task MetricsAreServedAsJson()
    {
        var metrics = await GetAsync("metrics");

        foreach (var name in new[] { "ewsRequests", "requestsByOperation", "peakConcurrency", "backOffViolations", "serverBusyTime", "serverUtilisation", "throttledResponses" })
        {
            Assert.True(metrics.TryGetProperty(name, out _), name);
        }
    }

    private async Task<JsonElement> GetAsync(string path) => JsonDocument.Parse(await _http.GetStringAsync(path)).RootElement.Clone();

    private async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
