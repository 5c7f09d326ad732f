using System.Net;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>SyncFolderItems semantics: paging, states, incremental changes of every kind, invalidation.</summary>
public sealed class SyncFolderItemsTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public SyncFolderItemsTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
    }

    [Fact]
    public async Task FirstSyncPagesNewestFirstAndEndsWithTheFolderExactlyAsTheServerHasIt()
    {
        using var client = EwsClient.Basic(_sim);
        var store = new Dictionary<string, bool>();
        var seen = new List<SyncChange>();

        var (_, calls) = await Ops.SyncToEndAsync(client, "user0001@contoso.test", "inbox", null, 7, store, seen);

        var truth = _sim.Control.GetItems("user0001@contoso.test", "inbox");
        Assert.Equal(30, truth.Count);
        Assert.Equal(truth.Select(i => i.ItemId), seen.Select(c => c.ItemId));
        Assert.All(seen, c => Assert.Equal("Create", c.Kind));
        Assert.Equal(truth.ToDictionary(i => i.ItemId, i => i.IsRead), store);
        Assert.Equal(5, calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(513)]
    [InlineData(-1)]
    public async Task MaxChangesReturnedOutsideOneTo512IsASchemaFault(int max)
    {
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(Ops.SyncFolderItems("inbox", null, max), "user0002@contoso.test");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("ErrorSchemaValidation", answer.FaultCode);
    }

    [Fact]
    public async Task MaxChangesReturned512GetsAWholeSmallFolderInOneCall()
    {
        using var client = EwsClient.Basic(_sim);

        var (_, calls) = await Ops.SyncToEndAsync(client, "user0002@contoso.test", "inbox", null, 512, new Dictionary<string, bool>());

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task IncrementalSyncReportsEachInjectedChangeWithItsKind()
    {
        const string mailbox = "user0003@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var store = new Dictionary<string, bool>();
        var (state, _) = await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 100, store);

        var injected = _sim.Control.InjectChanges(mailbox, "inbox", creates: 3, updates: 2, deletes: 2, readFlagChanges: 2);
        var seen = new List<SyncChange>();
        await Ops.SyncToEndAsync(client, mailbox, "inbox", state, 100, store, seen);

        Assert.Equal(injected.Created.Order(), seen.Where(c => c.Kind == "Create").Select(c => c.ItemId).Order());
        Assert.Equal(injected.Updated.Order(), seen.Where(c => c.Kind == "Update").Select(c => c.ItemId).Order());
        Assert.Equal(injected.Deleted.Order(), seen.Where(c => c.Kind == "Delete").Select(c => c.ItemId).Order());
        Assert.Equal(injected.ReadFlagChanged.Order(), seen.Where(c => c.Kind == "ReadFlagChange").Select(c => c.ItemId).Order());
        Assert.All(seen.Where(c => c.Kind == "Update"), c => Assert.Contains("(edit", c.Subject));
        Assert.Equal(_sim.Control.GetItems(mailbox, "inbox").ToDictionary(i => i.ItemId, i => i.IsRead), store);
    }

    [Fact]
    public async Task AnUpToDateStateGetsNoChangesAndIncludesLastItemInRange()
    {
        const string mailbox = "user0004@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var (state, _) = await Ops.SyncToEndAsync(client, mailbox, "sentitems", null, 512, new Dictionary<string, bool>());

        var answer = await client.SendAsync(Ops.SyncFolderItems("sentitems", state, 10), mailbox);

        Assert.Empty(Ops.Changes(answer));
        Assert.Equal("true", (string?)answer.Message.Element(EwsClient.M + "IncludesLastItemInRange"));
    }

    [Fact]
    public async Task ChangesToOneItemWithinAPageAreCoalesced()
    {
        const string mailbox = "user0005@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var (state, _) = await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 512, new Dictionary<string, bool>());
        var shortLived = _sim.Control.CreateItem(mailbox, "inbox", "gone before the sync");
        _sim.Control.UpdateItem(shortLived);
        _sim.Control.DeleteItem(shortLived);
        var edited = _sim.Control.CreateItem(mailbox, "inbox", "first draft");
        _sim.Control.UpdateItem(edited, "second draft");
        _sim.Control.SetReadFlag(edited, true);

        var seen = new List<SyncChange>();
        await Ops.SyncToEndAsync(client, mailbox, "inbox", state, 512, new Dictionary<string, bool>(), seen);

        var change = Assert.Single(seen);
        Assert.Equal(("Create", edited, "second draft", (bool?)true), (change.Kind, change.ItemId, change.Subject, change.IsRead));
    }

    [Fact]
    public async Task ManyChangesArePagedAndTheStoreEndsEqualToTheServer()
    {
        const string mailbox = "user0006@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var store = new Dictionary<string, bool>();
        var (state, _) = await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 512, store);
        _sim.Control.InjectChanges(mailbox, "inbox", creates: 25, updates: 5, deletes: 4, readFlagChanges: 6);

        var (_, calls) = await Ops.SyncToEndAsync(client, mailbox, "inbox", state, 10, store);

        Assert.Equal(4, calls);
        Assert.Equal(_sim.Control.GetItems(mailbox, "inbox").ToDictionary(i => i.ItemId, i => i.IsRead), store);
    }

    [Fact]
    public async Task IgnoredItemsAreLeftOutOfTheAnswer()
    {
        const string mailbox = "user0007@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var ignored = _sim.Control.GetItems(mailbox, "inbox").Take(3).Select(i => i.ItemId).ToList();

        var answer = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 512, ignore: ignored), mailbox);

        var ids = Ops.Changes(answer).Select(c => c.ItemId).ToList();
        Assert.Equal(27, ids.Count);
        Assert.Empty(ids.Intersect(ignored));
    }

    [Fact]
    public async Task AnInvalidatedFolderStateIsRefusedAndASyncWithoutStateRecovers()
    {
        const string mailbox = "user0008@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var (inboxState, _) = await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 512, new Dictionary<string, bool>());
        var (sentState, _) = await Ops.SyncToEndAsync(client, mailbox, "sentitems", null, 512, new Dictionary<string, bool>());

        _sim.Control.InvalidateSyncStates(mailbox, "inbox");
        var refused = await client.SendAsync(Ops.SyncFolderItems("inbox", inboxState, 10), mailbox);
        var untouched = await client.SendAsync(Ops.SyncFolderItems("sentitems", sentState, 10), mailbox);
        var store = new Dictionary<string, bool>();
        await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 512, store);

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("Error", (string?)refused.Message.Attribute("ResponseClass"));
        Assert.Equal("ErrorInvalidSyncStateData", refused.ResponseCode);
        Assert.Equal("", Ops.State(refused));
        Assert.Equal("true", (string?)refused.Message.Element(EwsClient.M + "IncludesLastItemInRange"));
        Assert.Equal("NoError", untouched.ResponseCode);
        Assert.Equal(30, store.Count);
    }

    [Fact]
    public async Task AStateIsOnlyGoodForItsOwnFolderAndMailboxAndIsRefusedWhenDamaged()
    {
        const string mailbox = "user0009@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var state = Ops.State(await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), mailbox));

        var damaged = new[]
        {
            await client.SendAsync(Ops.SyncFolderItems("sentitems", state, 5), mailbox),
            await client.SendAsync(Ops.SyncFolderItems("inbox", state, 5), "user0010@contoso.test"),
            await client.SendAsync(Ops.SyncFolderItems("inbox", state[..^6], 5), mailbox),
            await client.SendAsync(Ops.SyncFolderItems("inbox", (state[0] == 'A' ? "B" : "A") + state[1..], 5), mailbox),
            await client.SendAsync(Ops.SyncFolderItems("inbox", "not base64 at all!", 5), mailbox),
        };

        Assert.All(damaged, answer => Assert.Equal("ErrorInvalidSyncStateData", answer.ResponseCode));
        Assert.Equal("NoError", (await client.SendAsync(Ops.SyncFolderItems("inbox", state, 5), mailbox)).ResponseCode);
    }

    [Fact]
    public async Task ADeletedFolderAnswersErrorSyncFolderNotFound()
    {
        const string mailbox = "user0011@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var folderId = _sim.Control.CreateFolder(mailbox, "Temporary");
        _sim.Control.CreateItem(mailbox, folderId, "in the doomed folder");
        var store = new Dictionary<string, bool>();
        var (state, _) = await Ops.SyncToEndAsync(client, mailbox, folderId, null, 10, store);

        _sim.Control.DeleteFolder(mailbox, folderId);
        var answer = await client.SendAsync(Ops.SyncFolderItems(folderId, state, 10), mailbox);

        Assert.Single(store);
        Assert.Equal("ErrorSyncFolderNotFound", answer.ResponseCode);
    }

    [Fact]
    public async Task InvalidatingEveryStateInTheTenantRefusesAllOldStates()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 5 });
        using var client = EwsClient.Basic(sim);
        var (state1, _) = await Ops.SyncToEndAsync(client, "user0001@contoso.test", "inbox", null, 512, new Dictionary<string, bool>());
        var hierarchy = Ops.State(await client.SendAsync(Ops.SyncFolderHierarchy(), "user0002@contoso.test"));

        sim.Control.InvalidateSyncStates();

        Assert.Equal("ErrorInvalidSyncStateData", (await client.SendAsync(Ops.SyncFolderItems("inbox", state1, 5), "user0001@contoso.test")).ResponseCode);
        Assert.Equal("ErrorInvalidSyncStateData", (await client.SendAsync(Ops.SyncFolderHierarchy(hierarchy), "user0002@contoso.test")).ResponseCode);
    }
}
