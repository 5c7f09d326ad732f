using System.Net;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>What real Exchange Online does to delta clients, injected from the control API, reproducibly.</summary>
public sealed class GraphQuirkTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public GraphQuirkTests(SimulatorFixture fixture) => _sim = fixture.Simulator;

    private static string Delta(string mailbox, string folder = "inbox") => $"users/{mailbox}/mailFolders/{folder}/messages/delta?$select=subject";

    private IEnumerable<string> Truth(string mailbox, string folder = "inbox") =>
        _sim.Control.GetItems(mailbox, folder).Select(i => _sim.Control.GraphItemId(i.ItemId)).OrderBy(x => x);

    [Fact]
    public async Task EmptyPagesStillCarryANextLinkAndTheRoundStillEndsComplete()
    {
        const string mailbox = "user0031@contoso.test";
        _sim.Control.InjectGraphQuirk(GraphQuirk.EmptyPage, 2, mailbox);
        using var graph = await GraphHttp.SignInAsync(_sim);

        var round = await graph.RoundAsync(Delta(mailbox), "Prefer: odata.maxpagesize=10");

        var empty = round.Pages.Where(p => p["value"]!.AsArray().Count == 0).ToList();
        Assert.Equal(2, empty.Count);
        Assert.All(empty, p => Assert.NotNull(p["@odata.nextLink"]));
        Assert.Equal(Truth(mailbox), round.Items.Keys.OrderBy(x => x));
    }

    [Fact]
    public async Task PartialUpdatesCarryTheIdTheVersionAndOnlyAnEditedSubject()
    {
        const string mailbox = "user0039@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        const string select = "$select=changeKey,subject,isRead,from";
        var first = await graph.RoundAsync($"users/{mailbox}/mailFolders/inbox/messages/delta?{select}", "Prefer: odata.maxpagesize=100");
        var items = _sim.Control.GetItems(mailbox);
        _sim.Control.UpdateItem(items[0].ItemId, "Edited");
        _sim.Control.FlagItem(items[1].ItemId);
        _sim.Control.InjectGraphQuirk(GraphQuirk.PartialUpdates, 1, mailbox);

        var second = await graph.RoundAsync(first.DeltaLink, "Prefer: odata.maxpagesize=100");

        var edited = second.Items[_sim.Control.GraphItemId(items[0].ItemId)];
        var flagged = second.Items[_sim.Control.GraphItemId(items[1].ItemId)];
        Assert.Equal(new[] { "@odata.etag", "@odata.type", "changeKey", "id", "subject" }, edited.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("Edited", (string)edited["subject"]!);
        Assert.Equal(new[] { "@odata.etag", "@odata.type", "changeKey", "id" }, flagged.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(_sim.Control.GetItems(mailbox)[1].ChangeKey, (string)flagged["changeKey"]!);
        Assert.NotEqual(items[1].ChangeKey, (string)flagged["changeKey"]!);
    }

    [Fact]
    public async Task AReplayedItemComesAgainOnALaterPageAndMergingStaysCorrect()
    {
        const string mailbox = "user0032@contoso.test";
        _sim.Control.InjectGraphQuirk(GraphQuirk.Replay, 1, mailbox);
        using var graph = await GraphHttp.SignInAsync(_sim);

        var round = await graph.RoundAsync(Delta(mailbox), "Prefer: odata.maxpagesize=10");

        var sent = round.Pages.SelectMany(p => p["value"]!.AsArray()).Select(e => (string)e!["id"]!).ToList();
        Assert.Equal(sent.Count - 1, sent.Distinct().Count());
        var replayed = sent.GroupBy(x => x).Single(g => g.Count() == 2).Key;
        Assert.Equal(replayed, (string)round.Pages[0]["value"]!.AsArray()[^1]!["id"]!);
        Assert.Equal(replayed, (string)round.Pages[1]["value"]!.AsArray()[0]!["id"]!);
        Assert.Equal(Truth(mailbox), round.Items.Keys.OrderBy(x => x));
    }

    [Fact]
    public async Task AReplayCanCrossIntoTheNextRound()
    {
        const string mailbox = "user0033@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var first = await graph.RoundAsync(Delta(mailbox), "Prefer: odata.maxpagesize=100");
        _sim.Control.InjectGraphQuirk(GraphQuirk.Replay, 1, mailbox);

        var second = await graph.RoundAsync(first.DeltaLink, "Prefer: odata.maxpagesize=100");

        var lastOfFirst = (string)first.Pages[^1]["value"]!.AsArray()[^1]!["id"]!;
        Assert.Equal(new[] { lastOfFirst }, second.Items.Keys);
    }

    [Fact]
    public async Task AStaleIntermediateNextLinkIs410SyncStateNotFound()
    {
        const string mailbox = "user0034@contoso.test";
        _sim.Control.RefuseStaleDeltaLinks(true, mailbox);
        using var graph = await GraphHttp.SignInAsync(_sim);
        var page1 = await graph.GetAsync(Delta(mailbox), "Prefer: odata.maxpagesize=5");
        var link1 = (string)page1.Json["@odata.nextLink"]!;
        var page2 = await graph.GetAsync(link1, "Prefer: odata.maxpagesize=5");
        Assert.Equal(HttpStatusCode.OK, page2.Status);

        var stale = await graph.GetAsync(link1, "Prefer: odata.maxpagesize=5");

        Assert.Equal(HttpStatusCode.Gone, stale.Status);
        Assert.Equal("SyncStateNotFound", stale.ErrorCode);
        Assert.Matches(@"^The sync state generation is not found; generation=1;\[highest=2\]\.$", (string)stale.Json["error"]!["message"]!);
        // The newest link still works: a client that never goes back is not affected.
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync((string)page2.Json["@odata.nextLink"]!, "Prefer: odata.maxpagesize=5")).Status);
    }

    [Fact]
    public async Task ExpiredOrInvalidatedTokensAre410AndAFreshRoundRecovers()
    {
        const string mailbox = "user0035@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var inbox = await graph.RoundAsync(Delta(mailbox));
        var archive = await graph.RoundAsync(Delta(mailbox, "archive"));

        _sim.Control.ExpireDeltaTokens(mailbox, "inbox");
        var expired = await graph.GetAsync(inbox.DeltaLink);
        Assert.Equal((HttpStatusCode.Gone, "SyncStateNotFound"), (expired.Status, expired.ErrorCode));
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync(archive.DeltaLink)).Status);

        // Invalidating the folder's sync states (the EWS side's switch) invalidates its Graph tokens too: one change log.
        var fresh = await graph.RoundAsync(Delta(mailbox));
        Assert.Equal(Truth(mailbox), fresh.Items.Keys.OrderBy(x => x));
        _sim.Control.InvalidateSyncStates(mailbox, "inbox");
        Assert.Equal(HttpStatusCode.Gone, (await graph.GetAsync(fresh.DeltaLink)).Status);

        var token = fresh.DeltaLink[(fresh.DeltaLink.IndexOf("$deltatoken=", StringComparison.Ordinal) + 12)..];
        var edited = fresh.DeltaLink.Replace(token, token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await graph.GetAsync(edited)).Status);
    }

    [Fact]
    public async Task ADeltaTokenIsSelfDescribingVersionedJsonUnderItsMac()
    {
        const string mailbox = "user0036@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var page = await graph.GetAsync(Delta(mailbox), "Prefer: odata.maxpagesize=3");
        var link = (string)page.Json["@odata.nextLink"]!;

        var token = link[(link.IndexOf("$skiptoken=", StringComparison.Ordinal) + 11)..];
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(token);
        var json = System.Text.Encoding.UTF8.GetString(bytes, 0, bytes.Length - 16);
        var state = System.Text.Json.Nodes.JsonNode.Parse(json)!;

        Assert.Equal(1, (int)state["v"]!);
        Assert.Equal("messages", (string)state["k"]!);
        Assert.Equal("subject", (string)state["sel"]!);
        Assert.False((bool)state["dl"]!);
    }

    [Fact]
    public async Task QuirksAtARateAreDrawnFromTheSeedSoTwoRunsMeetTheSame()
    {
        async Task<(List<int> PageSizes, bool Complete)> RunAsync()
        {
            await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 40, Seed = 11 });
            sim.Control.SetGraphQuirkRate(GraphQuirk.EmptyPage, 0.3);
            sim.Control.SetGraphQuirkRate(GraphQuirk.Replay, 0.3);
            using var graph = await GraphHttp.SignInAsync(sim);
            var round = await graph.RoundAsync("users/user0001@contoso.test/mailFolders/inbox/messages/delta", "Prefer: odata.maxpagesize=5");
            var truth = sim.Control.GetItems("user0001@contoso.test").Select(i => sim.Control.GraphItemId(i.ItemId)).OrderBy(x => x);
            Assert.True(sim.Metrics.Graph.QuirksServed.Values.Sum() > 0);
            return (round.Pages.Select(p => p["value"]!.AsArray().Count).ToList(), truth.SequenceEqual(round.Items.Keys.OrderBy(x => x)));
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.True(first.Complete);
        Assert.Equal(first.PageSizes, second.PageSizes);
        Assert.Contains(0, first.PageSizes);
        Assert.Contains(6, first.PageSizes);
    }
}
