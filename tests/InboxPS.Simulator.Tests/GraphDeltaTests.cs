using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>mailFolders and messages delta over Graph against the one ground truth, rounds and changes, ids, $value.</summary>
public sealed class GraphDeltaTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public GraphDeltaTests(SimulatorFixture fixture) => _sim = fixture.Simulator;

    private static string MessagesDelta(string mailbox, string folder = "inbox", string query = "") =>
        $"users/{mailbox}/mailFolders/{folder}/messages/delta{query}";

    [Fact]
    public async Task MessagesDeltaPagesByMaxPageSizeUntilADeltaLinkAndHoldsTheGroundTruth()
    {
        const string mailbox = "user0011@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);

        var round = await graph.RoundAsync(MessagesDelta(mailbox, query: "?$select=subject,isRead,sender"), "Prefer: odata.maxpagesize=7");

        var truth = _sim.Control.GetItems(mailbox, "inbox");
        Assert.Equal(truth.Select(i => _sim.Control.GraphItemId(i.ItemId)).OrderBy(x => x), round.Items.Keys.OrderBy(x => x));
        Assert.Equal(truth.Count(i => i.IsRead), round.Items.Values.Count(i => (bool)i["isRead"]!));
        Assert.Equal((truth.Count + 6) / 7, round.Pages.Count);
        Assert.All(round.Pages.SkipLast(1), p => Assert.Contains("$skiptoken=", (string)p["@odata.nextLink"]!));
        Assert.All(round.Pages, p => Assert.False(p.ContainsKey("@odata.nextLink") && p.ContainsKey("@odata.deltaLink")));
        Assert.Contains("$deltatoken=", round.DeltaLink);
        // $select: only the selected properties plus id and the annotations.
        Assert.All(round.Items.Values, i => Assert.Equal(
            new[] { "@odata.etag", "@odata.type", "id", "isRead", "sender", "subject" }, i.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal)));
    }

    [Fact]
    public async Task NextRoundCarriesCreatesUpdatesReadFlagsAndRemovedEntries()
    {
        const string mailbox = "user0012@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var first = await graph.RoundAsync(MessagesDelta(mailbox, query: "?$select=subject,isRead"), "Prefer: odata.maxpagesize=50");

        var changes = _sim.Control.InjectChanges(mailbox, "inbox", creates: 3, updates: 2, deletes: 2, readFlagChanges: 2);
        var second = await graph.RoundAsync(first.DeltaLink, "Prefer: odata.maxpagesize=50");

        var id = (string ews) => _sim.Control.GraphItemId(ews);
        Assert.Equal(changes.Deleted.Select(id).OrderBy(x => x), second.Removed.Keys.OrderBy(x => x));
        Assert.All(second.Removed.Values, reason => Assert.Equal("deleted", reason));
        Assert.Equal(changes.Created.Concat(changes.Updated).Concat(changes.ReadFlagChanged).Select(id).OrderBy(x => x), second.Items.Keys.OrderBy(x => x));
        foreach (var flipped in changes.ReadFlagChanged)
        {
            // A read-flag change carries what changed (isRead) and not the rest.
            var entry = second.Items[id(flipped)];
            Assert.Equal(_sim.Control.GetItems(mailbox).Single(i => i.ItemId == flipped).IsRead, (bool)entry["isRead"]!);
            Assert.False(entry.ContainsKey("subject"));
        }

        foreach (var updated in changes.Updated)
        {
            Assert.Contains("(edit ", (string)second.Items[id(updated)]["subject"]!);
        }

        // Merging both rounds gives the ground truth; a third round with nothing new is one empty page.
        var merged = first.Items.Keys.Except(second.Removed.Keys).Union(second.Items.Keys).OrderBy(x => x);
        Assert.Equal(_sim.Control.GetItems(mailbox).Select(i => id(i.ItemId)).OrderBy(x => x), merged);
        var third = await graph.RoundAsync(second.DeltaLink);
        Assert.Single(third.Pages);
        Assert.Empty(third.Items);
    }

    [Fact]
    public async Task ChangeTypeCreatedReturnsOnlyNewItems()
    {
        const string mailbox = "user0013@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var first = await graph.RoundAsync(MessagesDelta(mailbox, query: "?changeType=created&$select=subject"));
        var changes = _sim.Control.InjectChanges(mailbox, "inbox", creates: 2, updates: 2, deletes: 1);

        var second = await graph.RoundAsync(first.DeltaLink);

        Assert.Equal(changes.Created.Select(i => _sim.Control.GraphItemId(i)).OrderBy(x => x), second.Items.Keys.OrderBy(x => x));
        Assert.Empty(second.Removed);
    }

    [Fact]
    public async Task MailFoldersDeltaListsTheMailFoldersAndLaterTheirChanges()
    {
        const string mailbox = "user0014@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);

        var first = await graph.RoundAsync($"users/{mailbox}/mailFolders/delta", "Prefer: odata.maxpagesize=4");

        // Every folder under Top of Information Store except the calendar and contacts folders (not mailFolders).
        var truth = _sim.Control.GetFolders(mailbox).Where(f => f.FolderClass == "IPF.Note" && f.DistinguishedName != "msgfolderroot").ToList();
        Assert.Equal(truth.Count, first.Items.Count);
        Assert.True(first.Pages.Count > 1);
        var inbox = first.Items.Values.Single(f => (string)f["displayName"]! == "Inbox");
        Assert.Equal(truth.Single(f => f.DistinguishedName == "inbox").TotalCount, (int)inbox["totalItemCount"]!);
        Assert.Equal(truth.Single(f => f.DistinguishedName == "inbox").UnreadCount, (int)inbox["unreadItemCount"]!);

        var created = _sim.Control.CreateFolder(mailbox, "Receipts");
        _sim.Control.RenameFolder(mailbox, "Projects", "Projects 2026");
        var second = await graph.RoundAsync(first.DeltaLink);

        Assert.Equal(new[] { "Projects 2026", "Receipts" }, second.Items.Values.Select(f => (string)f["displayName"]!).OrderBy(x => x));
        _sim.Control.DeleteFolder(mailbox, created);
        var third = await graph.RoundAsync(second.DeltaLink);
        Assert.Equal("deleted", third.Removed.Single().Value);
    }

    [Fact]
    public async Task DefaultIdsChangeOnAMoveAndImmutableIdsDoNot()
    {
        const string mailbox = "user0015@contoso.test";
        const string immutable = "Prefer: IdType=\"ImmutableId\"";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var inboxRound = await graph.RoundAsync(MessagesDelta(mailbox), immutable);
        var archiveRound = await graph.RoundAsync(MessagesDelta(mailbox, "archive"), immutable);
        var item = _sim.Control.GetItems(mailbox)[0];
        var defaultBefore = _sim.Control.GraphItemId(item.ItemId);
        var immutableBefore = _sim.Control.GraphItemId(item.ItemId, immutable: true);
        Assert.Contains(immutableBefore, inboxRound.Items.Keys);

        var movedEwsId = _sim.Control.MoveItem(item.ItemId, "archive")!;

        Assert.NotEqual(item.ItemId, movedEwsId);
        Assert.NotEqual(defaultBefore, _sim.Control.GraphItemId(movedEwsId));
        Assert.Equal(immutableBefore, _sim.Control.GraphItemId(movedEwsId, immutable: true));
        var inboxAfter = await graph.RoundAsync(inboxRound.DeltaLink, immutable);
        var archiveAfter = await graph.RoundAsync(archiveRound.DeltaLink, immutable);
        Assert.Equal("changed", inboxAfter.Removed[immutableBefore]);
        Assert.Equal((string)inboxRound.Items[immutableBefore]["subject"]!, (string)archiveAfter.Items[immutableBefore]["subject"]!);

        // The old default id is gone; the immutable id still reads the message, now in Archive.
        Assert.Equal("ErrorItemNotFound", (await graph.GetAsync($"users/{mailbox}/messages/{defaultBefore}")).ErrorCode);
        var byImmutable = await graph.GetAsync($"users/{mailbox}/messages/{immutableBefore}", immutable);
        Assert.Equal(HttpStatusCode.OK, byImmutable.Status);
        Assert.Equal(immutableBefore, (string)byImmutable.Json["id"]!);
        var archive = (await graph.GetAsync($"users/{mailbox}/mailFolders/archive")).Json;
        Assert.Equal((string)archive["id"]!, (string)byImmutable.Json["parentFolderId"]!);
    }

    [Fact]
    public async Task TranslateExchangeIdsConvertsEwsIdsBothWaysAndRefusesMoreThanAThousand()
    {
        const string mailbox = "user0016@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var items = _sim.Control.GetItems(mailbox).Take(3).ToList();
        var inputs = new JsonArray(items.Select(i => (JsonNode)i.ItemId).Append("not-an-id").ToArray());

        var toRest = await graph.PostAsync($"users/{mailbox}/translateExchangeIds",
            new JsonObject { ["inputIds"] = inputs, ["sourceIdType"] = "ewsId", ["targetIdType"] = "restId" });
        var toImmutable = await graph.PostAsync($"users/{mailbox}/translateExchangeIds",
            new JsonObject { ["inputIds"] = inputs.DeepClone(), ["sourceIdType"] = "ewsId", ["targetIdType"] = "restImmutableEntryId" });

        Assert.Equal(HttpStatusCode.OK, toRest.Status);
        var rest = toRest.Json["value"]!.AsArray();
        Assert.Equal(items.Select(i => _sim.Control.GraphItemId(i.ItemId)), rest.Take(3).Select(r => (string)r!["targetId"]!));
        Assert.Equal(items.Select(i => i.ItemId), rest.Take(3).Select(r => (string)r!["sourceId"]!));
        Assert.Equal("ErrorInvalidIdMalformed", (string)rest[3]!["errorDetails"]!["code"]!);
        Assert.Equal(items.Select(i => _sim.Control.GraphItemId(i.ItemId, immutable: true)), toImmutable.Json["value"]!.AsArray().Take(3).Select(r => (string)r!["targetId"]!));

        var back = await graph.PostAsync($"users/{mailbox}/translateExchangeIds", new JsonObject
        {
            ["inputIds"] = new JsonArray(toImmutable.Json["value"]!.AsArray().Take(3).Select(r => (JsonNode)(string)r!["targetId"]!).ToArray()),
            ["sourceIdType"] = "restImmutableEntryId",
            ["targetIdType"] = "ewsId",
        });
        Assert.Equal(items.Select(i => i.ItemId), back.Json["value"]!.AsArray().Select(r => (string)r!["targetId"]!));

        var tooMany = await graph.PostAsync($"users/{mailbox}/translateExchangeIds", new JsonObject
        {
            ["inputIds"] = new JsonArray(Enumerable.Repeat(items[0].ItemId, 1001).Select(i => (JsonNode)i).ToArray()),
            ["sourceIdType"] = "ewsId",
            ["targetIdType"] = "restId",
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
    }

    [Fact]
    public async Task ValueIsTheSameMimeAsEwsMimeContent()
    {
        const string mailbox = "user0017@contoso.test";
        var item = _sim.Control.GetItems(mailbox)[0];
        using var graph = await GraphHttp.SignInAsync(_sim);
        using var ews = EwsClient.Bearer(_sim, await Msal.AppOnlyTokenAsync(_sim));

        var mime = await graph.GetAsync($"users/{mailbox}/messages/{_sim.Control.GraphItemId(item.ItemId)}/$value");
        var ewsAnswer = await ews.SendAsync(Ops.GetItem(new[] { item.ItemId }, "IdOnly", mime: true), mailbox);

        Assert.Equal(HttpStatusCode.OK, mime.Status);
        Assert.StartsWith("text/plain", mime.ContentType);
        var ewsMime = Convert.FromBase64String((string)ewsAnswer.Xml.Descendants(EwsClient.T + "MimeContent").Single());
        Assert.Equal(ewsMime, mime.Body);
        Assert.Contains("Message-ID: " + item.InternetMessageId, Encoding.UTF8.GetString(mime.Body));
    }

    [Fact]
    public async Task AnItemDeletedBetweenDeltaAndValueIsErrorItemNotFound()
    {
        const string mailbox = "user0018@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var round = await graph.RoundAsync(MessagesDelta(mailbox));
        var item = _sim.Control.GetItems(mailbox)[1];
        Assert.Contains(_sim.Control.GraphItemId(item.ItemId), round.Items.Keys);

        _sim.Control.DeleteItem(item.ItemId);
        var answer = await graph.GetAsync($"users/{mailbox}/messages/{_sim.Control.GraphItemId(item.ItemId)}/$value");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("ErrorItemNotFound", answer.ErrorCode);
        Assert.NotNull(answer.Json["error"]!["innerError"]!["request-id"]);
        Assert.NotNull(answer.Json["error"]!["innerError"]!["date"]);
    }

    [Fact]
    public async Task AFolderDeletedMidRoundAnswersErrorSyncFolderNotFound()
    {
        const string mailbox = "user0019@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var projects = _sim.Control.GetFolders(mailbox).Single(f => f.DisplayName == "Projects").FolderId;
        var folderId = (string)(await graph.GetAsync($"users/{mailbox}/mailFolders/delta")).Json["value"]!.AsArray()
            .Single(f => (string)f!["displayName"]! == "Projects")!["id"]!;
        Assert.Equal(projects.Replace('/', '-').Replace('+', '_'), folderId);
        var page = await graph.GetAsync(MessagesDelta(mailbox, folderId), "Prefer: odata.maxpagesize=2");
        Assert.NotNull(page.Json["@odata.nextLink"]);

        _sim.Control.DeleteFolder(mailbox, "Projects");
        var next = await graph.GetAsync((string)page.Json["@odata.nextLink"]!, "Prefer: odata.maxpagesize=2");

        Assert.Equal(HttpStatusCode.NotFound, next.Status);
        Assert.Equal("ErrorSyncFolderNotFound", next.ErrorCode);
    }

    [Fact]
    public async Task NextLinksUseKeySyntaxAndMixedCaseSegmentsWorkLikeTheDocs()
    {
        const string mailbox = "user0020@contoso.test";
        using var graph = await GraphHttp.SignInAsync(_sim);
        var inboxId = (string)(await graph.GetAsync($"users/{mailbox}/mailFolders/inbox")).Json["id"]!;

        var page = await graph.GetAsync($"users/{mailbox}/mailfolders/{inboxId}/messages/delta?$select=subject", "Prefer: odata.maxpagesize=2");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains($"/mailFolders('{inboxId}')/messages/delta?$skiptoken=", (string)page.Json["@odata.nextLink"]!);
        Assert.EndsWith("$metadata#Collection(message)", (string)page.Json["@odata.context"]!);
    }
}
