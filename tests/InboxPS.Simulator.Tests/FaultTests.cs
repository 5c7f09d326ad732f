using System.Net;
using System.Xml.Linq;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>Injected faults: each kind on demand, and random ones that repeat exactly for one seed.</summary>
public sealed class FaultTests
{
    private const string Mailbox = "user0001@contoso.test";

    [Fact]
    public async Task EachFaultKindBreaksTheAnswerTheWayItSays()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 3, SlowBodyDelay = TimeSpan.FromMilliseconds(100) });
        using var client = EwsClient.Basic(sim);
        async Task<EwsAnswer> Next(FaultKinds kind)
        {
            sim.Control.InjectFault(kind, 1, Mailbox);
            return await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox);
        }

        var http500 = await Next(FaultKinds.Http500);
        var http503 = await Next(FaultKinds.Http503);
        await Assert.ThrowsAsync<HttpRequestException>(() => Next(FaultKinds.ConnectionReset));
        await Assert.ThrowsAnyAsync<Exception>(() => Next(FaultKinds.TruncatedBody));
        var slow = await Next(FaultKinds.SlowBody);
        var normal = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox);

        Assert.Equal((HttpStatusCode.InternalServerError, "ErrorInternalServerError"), (http500.Status, http500.FaultCode));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, http503.Status);
        Assert.Equal(normal.Text.Length, slow.Text.Length);
        Assert.Equal(3, Ops.Changes(slow).Count);
        var injected = sim.Control.Metrics.FaultsInjected;
        Assert.All(new[] { "Http500", "Http503", "ConnectionReset", "TruncatedBody", "SlowBody" }, kind => Assert.Equal(1, injected[kind]));
    }

    [Fact]
    public async Task MailboxStoreUnavailableAndTimeoutExpiredAnswerInTheResponseMessage()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 3 });
        using var client = EwsClient.Basic(sim);
        sim.Control.InjectFault(FaultKinds.MailboxStoreUnavailable, 1, Mailbox);
        var unavailable = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox);
        sim.Control.InjectFault(FaultKinds.TimeoutExpired, 1, Mailbox);
        var timedOut = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox);
        var normal = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox);

        Assert.Equal((HttpStatusCode.OK, "ErrorMailboxStoreUnavailable"), (unavailable.Status, unavailable.ResponseCode));
        Assert.Equal((HttpStatusCode.OK, "ErrorTimeoutExpired"), (timedOut.Status, timedOut.ResponseCode));
        Assert.Equal("NoError", normal.ResponseCode);
        Assert.Equal(1, sim.Control.Metrics.FaultsInjected["MailboxStoreUnavailable"]);
        Assert.Equal(1, sim.Control.Metrics.FaultsInjected["TimeoutExpired"]);
    }

    [Fact]
    public async Task AQueuedFaultForOneMailboxLeavesTheOthersAlone()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1 });
        using var client = EwsClient.Basic(sim);
        sim.Control.InjectFault(FaultKinds.Http500, 2, "user0002@contoso.test");

        var other = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var targeted = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");

        Assert.Equal("NoError", other.ResponseCode);
        Assert.Equal("ErrorInternalServerError", targeted.FaultCode);
    }

    [Fact]
    public async Task RandomFaultsRepeatForTheSameSeedAndDifferForAnother()
    {
        var first = await StatusesAsync(seed: 11);
        var again = await StatusesAsync(seed: 11);
        var other = await StatusesAsync(seed: 12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Contains(HttpStatusCode.OK, first);
        Assert.Contains(first, s => s != HttpStatusCode.OK);
    }

    private static async Task<List<HttpStatusCode>> StatusesAsync(int seed)
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            Users = 2, ItemsPerFolder = 1, Seed = seed, FaultRate = 0.5, FaultKinds = FaultKinds.Http500 | FaultKinds.Http503,
        });
        using var client = EwsClient.Basic(sim);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 24; i++)
        {
            statuses.Add((await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox)).Status);
        }

        return statuses;
    }
}
