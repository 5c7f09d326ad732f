using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// The simulator's Graph answers beside Microsoft's documented samples (../shared/graph-reference/samples, MANIFEST.md):
/// the same property names, annotations and error bodies. Values differ (their tenant is not ours); shapes must not.
/// </summary>
public sealed class GraphSampleTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public GraphSampleTests(SimulatorFixture fixture) => _sim = fixture.Simulator;

    /// <summary>A sample's JSON: a .json file as is, an .http file's body after its first empty line.</summary>
    private static JsonNode Sample(string name)
    {
        var text = File.ReadAllText(SharedMaterial.Path("graph-reference", "samples", name));
        if (name.EndsWith(".http", StringComparison.Ordinal))
        {
            text = text[(text.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        }

        return JsonNode.Parse(text)!;
    }

    private static string[] Keys(JsonNode node) => node.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();

    [SharedFact]
    public async Task MessagesDeltaPagesHaveTheDocumentedAnnotationsAndItemShape()
    {
        const string mailbox = "user0041@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var first = Sample("messages-delta-01-initial-response-nextlink.json");
        var last = Sample("messages-delta-03-final-response-deltalink.json");

        var round = await graph.RoundAsync($"users/{mailbox}/mailFolders/inbox/messages/delta?$select=subject,sender,isRead", "Prefer: odata.maxpagesize=2");

        Assert.Equal(Keys(first), Keys(round.Pages[0]));
        Assert.Equal(Keys(last), Keys(round.Pages[^1]));
        Assert.Equal(Keys(first["value"]![0]!), Keys(round.Pages[0]["value"]![0]!));
        Assert.Equal(Keys(first["value"]![0]!["sender"]!["emailAddress"]!), Keys(round.Pages[0]["value"]![0]!["sender"]!["emailAddress"]!));
        Assert.Equal((string)first["@odata.context"]!, ((string)round.Pages[0]["@odata.context"]!).Replace(_sim.GraphUrl.ToString(), "https://graph.microsoft.com/v1.0/", StringComparison.Ordinal));
        Assert.Matches("^W/\"CQAAABYA[A-Za-z0-9+/=]+\"$", (string)round.Pages[0]["value"]![0]!["@odata.etag"]!);
        Assert.Contains("$skiptoken=", (string)first["@odata.nextLink"]!);
        Assert.Contains("$skiptoken=", (string)round.Pages[0]["@odata.nextLink"]!);
        Assert.Contains("$deltatoken=", (string)round.Pages[^1]["@odata.deltaLink"]!);
    }

    [SharedFact]
    public async Task RemovedEntriesAreShapedLikeTheNextRoundSample()
    {
        const string mailbox = "user0042@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var sample = Sample("messages-delta-04-next-round-response-removed-and-updated.json")["value"]!.AsArray();
        var first = await graph.RoundAsync($"users/{mailbox}/mailFolders/inbox/messages/delta?$select=subject,sender,isRead");
        var changes = _sim.Control.InjectChanges(mailbox, "inbox", deletes: 1, updates: 1);

        var second = await graph.RoundAsync(first.DeltaLink);

        var entries = second.Pages.SelectMany(p => p["value"]!.AsArray()).ToList();
        var removed = entries.Single(e => e!["@removed"] is not null)!;
        Assert.Equal(Keys(sample[0]!), Keys(removed));
        Assert.Equal((string)sample[0]!["@removed"]!["reason"]!, (string)removed["@removed"]!["reason"]!);
        Assert.Equal(Keys(sample[1]!), Keys(entries.Single(e => e!["@removed"] is null)!));
        Assert.Equal(_sim.Control.GraphItemId(changes.Deleted[0]), (string)removed["id"]!);
    }

    [SharedFact]
    public async Task AFullMessageHasEveryPropertyOfTheMessageGetSample()
    {
        const string mailbox = "user0043@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var item = _sim.Control.GetItems(mailbox)[0];

        var message = (await graph.GetAsync($"users/{mailbox}/messages/{_sim.Control.GraphItemId(item.ItemId)}")).Json;

        Assert.Equal(Keys(Sample("message-get-response.http")), Keys(message));
        Assert.Matches(@"\$metadata#users\('[^']+'\)/messages/\$entity$", (string)message["@odata.context"]!);
    }

    [SharedFact]
    public async Task MailFolderDeltaAndUsersCarryTheDocumentedProperties()
    {
        using var graph = await GraphHttp.SignInAsync(_sim);
        var folderSample = Sample("mailfolders-delta-response-nextlink.http")["value"]![0]!;
        var usersSample = Sample("users-list-response.http");
        var selectSample = Sample("users-list-select-filter-response.http");

        var folders = (await graph.GetAsync("users/user0044@contoso.test/mailFolders/delta")).Json;
        var users = (await graph.GetAsync("users?$top=3")).Json;
        var selected = (await graph.GetAsync("users?$select=id,mail&$top=1")).Json;

        Assert.All(Keys(folderSample), k => Assert.Contains(k, Keys(folders["value"]![0]!)));
        Assert.Equal(Keys(usersSample), Keys(users).Where(k => k != "@odata.nextLink"));
        Assert.Equal(Keys(usersSample["value"]![0]!), Keys(users["value"]![0]!));
        Assert.Equal(Regex.Replace((string)selectSample["@odata.context"]!, @"\(.*\)", "(id,mail)"),
            ((string)selected["@odata.context"]!).Replace(_sim.GraphUrl.ToString(), "https://graph.microsoft.com/v1.0/", StringComparison.Ordinal));
    }

    [SharedFact]
    public async Task TranslateExchangeIdsAndBatchAnswersHaveTheDocumentedShape()
    {
        const string mailbox = "user0045@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var item = _sim.Control.GetItems(mailbox)[0];

        var translated = (await graph.PostAsync($"users/{mailbox}/translateExchangeIds", new JsonObject
        {
            ["inputIds"] = new JsonArray(_sim.Control.GraphItemId(item.ItemId)), ["targetIdType"] = "restImmutableEntryId", ["sourceIdType"] = "restId",
        })).Json;
        var batch = (await graph.PostAsync("$batch", new JsonObject
        {
            ["requests"] = new JsonArray(new JsonObject { ["id"] = "1", ["method"] = "GET", ["url"] = $"/users/{mailbox}/mailFolders/inbox" }),
        })).Json;

        Assert.Equal(Keys(Sample("translateexchangeids-response.http")["value"]![0]!), Keys(translated["value"]![0]!));
        var batchSample = Sample("batch-response.http");
        Assert.Equal(Keys(batchSample), Keys(batch));
        Assert.Equal(Keys(batchSample["responses"]![0]!), Keys(batch["responses"]![0]!));
    }

    [SharedTheory]
    [InlineData("from-issues/error-404-resourcenotfound.json", "users/nobody@contoso.test/mailFolders/inbox")]
    [InlineData("from-issues/error-mailboxnotenabledforrestapi.json", "users/nolicense@contoso.test/mailFolders/inbox")]
    [InlineData("error-403-erroraccessdenied-application-access-policy.json", "users/outofscope@contoso.test/mailFolders/inbox")]
    public async Task ErrorBodiesMatchTheRealOnes(string sampleName, string url)
    {
        using var graph = await GraphHttp.SignInAsync(_sim);
        var sample = Sample(sampleName)["error"]!;

        var error = (await graph.GetAsync(url)).Json["error"]!;

        Assert.Equal((string)sample["code"]!, (string)error["code"]!);
        Assert.Equal((string)sample["message"]!, (string)error["message"]!);
        Assert.Equal(Keys(sample["innerError"]!), Keys(error["innerError"]!).Where(k => k != "client-request-id"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", (string)error["innerError"]!["date"]!);
        Assert.True(Guid.TryParse((string)error["innerError"]!["request-id"]!, out _));
    }

    [SharedFact]
    public async Task ThrottlingAndSyncStateErrorsUseTheObservedCodesAndMessages()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 4 });
        sim.Control.SetGraphThrottling(retryAfter: TimeSpan.FromMilliseconds(2128));
        sim.Control.ThrottleMailbox("user0001@contoso.test", 1);
        using var graph = await GraphHttp.SignInAsync(sim);
        var throttledSample = Sample("from-issues/error-429-applicationthrottled-mailboxconcurrency.json")["error"]!;
        var syncSample = Sample("from-issues/error-syncstatenotfound.json")["error"]!;
        var retryAfterSample = File.ReadAllLines(SharedMaterial.Path("graph-reference", "samples", "error-429-too-many-requests.http"))
            .Single(l => l.StartsWith("Retry-After:", StringComparison.Ordinal))["Retry-After:".Length..].Trim();

        var throttled = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        var round = await graph.RoundAsync("users/user0002@contoso.test/mailFolders/inbox/messages/delta");
        sim.Control.ExpireDeltaTokens("user0002@contoso.test");
        var gone = await graph.GetAsync(round.DeltaLink);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal((string)throttledSample["code"]!, throttled.ErrorCode);
        Assert.Equal((string)throttledSample["message"]!, (string)throttled.Json["error"]!["message"]!);
        Assert.Equal(retryAfterSample, throttled.Header("Retry-After"));
        Assert.Equal((string)syncSample["code"]!, gone.ErrorCode);
        var pattern = @"^The sync state generation is not found; generation=\d+;\[highest=\d+\]";
        Assert.Matches(pattern, (string)syncSample["message"]!);
        Assert.Matches(pattern, (string)gone.Json["error"]!["message"]!);
    }
}
