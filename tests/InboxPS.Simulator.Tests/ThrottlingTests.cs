using System.Net;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// Exchange's budgets: per target mailbox (EWSMaxConcurrency, ConcurrentSyncCalls), server-wide capacity, back-offs and
/// the penalty for coming back early. Each test runs its own simulator because it changes server-wide settings.
/// Concurrency is forced with injected latency: requests overlap because each holds its slot for a while.
/// </summary>
public sealed class ThrottlingTests
{
    private const string Mailbox = "user0001@contoso.test";

    [Fact]
    public async Task ConcurrentRequestsBeyondTheMailboxBudgetGetErrorExceededConnectionCount()
    {
        await using var sim = await StartAsync(new SimulatorOptions { MaxConcurrencyPerMailbox = 3, Latency = TimeSpan.FromMilliseconds(600) });
        using var client = EwsClient.Basic(sim);

        var oneMailbox = Enumerable.Range(0, 6).Select(_ => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox));
        var otherMailboxes = Enumerable.Range(2, 3).Select(i => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), $"user000{i}@contoso.test"));
        var answers = await Task.WhenAll(oneMailbox.Concat(otherMailboxes));

        var refused = answers.Take(6).Count(a => a.FaultCode == "ErrorExceededConnectionCount");
        var metrics = sim.Control.Metrics;
        Assert.InRange(refused, 1, 5);
        Assert.All(answers.Skip(6), a => Assert.Equal("NoError", a.ResponseCode));
        Assert.Equal(refused, metrics.ConnectionCountExceeded);
        Assert.InRange(metrics.PeakConcurrencyByMailbox[Mailbox], 1, 3);
    }

    [Fact]
    public async Task SyncCallsBeyondConcurrentSyncCallsGetErrorServerBusyInsideHttp200()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            MaxConcurrentSyncCallsPerMailbox = 2, Latency = TimeSpan.FromMilliseconds(600), BackOff = TimeSpan.FromMilliseconds(700),
        });
        using var client = EwsClient.Basic(sim);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), Mailbox)));

        var busy = answers.Where(a => a.ResponseCode == "ErrorServerBusy").ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(busy, a => Assert.InRange(a.BackOffMilliseconds!.Value, 1, 700));
        Assert.All(busy, a => Assert.Contains("'ConcurrentSyncCalls', policy value '2'", a.Text));
        Assert.InRange(sim.Control.Metrics.PeakSyncCallsAnyMailbox, 1, 2);
        Assert.Equal(busy.Count, sim.Control.Metrics.ServerBusyMessages);
    }

    [Fact]
    public async Task ComingBackBeforeTheBackOffEndsIsCountedAndPenalisedWaitingItOutIsNot()
    {
        await using var sim = await StartAsync(new SimulatorOptions { BackOff = TimeSpan.FromMilliseconds(800), BackOffGrace = TimeSpan.Zero });
        sim.Control.ThrottleMailbox(Mailbox, 1);
        using var client = EwsClient.Basic(sim);

        var busy = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var tooEarly = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        await Task.Delay(TimeSpan.FromMilliseconds(tooEarly.BackOffMilliseconds!.Value + 50));
        var afterWaiting = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);

        Assert.Equal((HttpStatusCode.InternalServerError, "ErrorServerBusy", 800L), (busy.Status, busy.FaultCode, busy.BackOffMilliseconds!.Value));
        Assert.Equal(("ErrorServerBusy", 800L), (tooEarly.FaultCode, tooEarly.BackOffMilliseconds!.Value));
        Assert.Equal("NoError", afterWaiting.ResponseCode);
        var metrics = sim.Control.Metrics;
        Assert.Equal(1, metrics.BackOffViolations);
        Assert.Equal(1, metrics.BackOffViolationsByMailbox[Mailbox]);
        Assert.Equal(2, metrics.ServerBusyFaults);
    }

    [Fact]
    public async Task ARetryRightAfterTheBusyAnswerIsWithinGraceAndNotAViolation()
    {
        await using var sim = await StartAsync(new SimulatorOptions { BackOff = TimeSpan.FromSeconds(30), BackOffGrace = TimeSpan.FromSeconds(30) });
        sim.Control.ThrottleMailbox(Mailbox, 1);
        using var client = EwsClient.Basic(sim);

        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var again = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        sim.Control.ClearBackOffs();
        var cleared = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);

        Assert.Equal("ErrorServerBusy", again.FaultCode);
        Assert.Equal("NoError", cleared.ResponseCode);
        Assert.Equal(0, sim.Control.Metrics.BackOffViolations);
    }

    [Fact]
    public async Task TheThrottledBrokenUserRecoversAfterItsBusyCallsWhenTheClientWaits()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            BrokenMailboxes = true, ThrottledMailboxBusyCalls = 2, BackOff = TimeSpan.FromMilliseconds(300), BackOffGrace = TimeSpan.Zero,
        });
        using var client = EwsClient.Basic(sim);

        var codes = new List<string?>();
        for (var call = 0; call < 3; call++)
        {
            var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "throttled@contoso.test");
            codes.Add(answer.FaultCode ?? answer.ResponseCode);
            await Task.Delay(TimeSpan.FromMilliseconds((answer.BackOffMilliseconds ?? 0) + 50));
        }

        Assert.Equal(new[] { "ErrorServerBusy", "ErrorServerBusy", "NoError" }, codes);
        Assert.Equal(0, sim.Control.Metrics.BackOffViolations);
    }

    [Fact]
    public async Task BeyondServerCapacityTheAnswerIsHttp503()
    {
        await using var sim = await StartAsync(new SimulatorOptions { ServerCapacity = 2, Latency = TimeSpan.FromMilliseconds(600) });
        using var client = EwsClient.Basic(sim);

        var answers = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), $"user000{i}@contoso.test")));

        var unavailable = answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.InRange(unavailable, 1, 5);
        Assert.Equal(unavailable, sim.Control.Metrics.ServerFull503);
        Assert.Equal(6 - unavailable, answers.Count(a => a.ResponseCode == "NoError"));
    }

    [Fact]
    public async Task AnAnswerStillBeingWrittenHoldsNoFrontEndSlot()
    {
        // Capacity 1 and an answer whose second half comes a second later: a call to another mailbox meanwhile is let in.
        await using var sim = await StartAsync(new SimulatorOptions { ServerCapacity = 1, SlowBodyDelay = TimeSpan.FromSeconds(1) });
        using var client = EwsClient.Basic(sim);
        sim.Control.InjectFault(FaultKinds.SlowBody, 1, Mailbox);

        var slow = client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        // Until the slow answer is built (its slot's time is counted then), not a fixed wait: a loaded machine may take
        // longer than any guess to get there, and the other call would meet a front end that is rightly full.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sim.Control.Metrics.ServerBusyTime == TimeSpan.Zero && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var meanwhile = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");

        Assert.Equal("NoError", meanwhile.ResponseCode);
        Assert.Equal("NoError", (await slow).ResponseCode);
        Assert.Equal(0, sim.Control.Metrics.ServerFull503);
        Assert.True(sim.Control.Metrics.ServerBusyTime < TimeSpan.FromSeconds(1), sim.Control.Metrics.ServerBusyTime.ToString());
    }

    [Fact]
    public async Task BusyTimeAddsUpTheServerWorkIncludingInjectedLatency()
    {
        await using var sim = await StartAsync(new SimulatorOptions { Latency = TimeSpan.FromMilliseconds(50) });
        using var client = EwsClient.Basic(sim);
        sim.Control.ResetMetrics();

        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        }

        var metrics = sim.Control.Metrics;
        Assert.Equal(4, metrics.EwsRequests);
        Assert.Equal(4, metrics.RequestsByOperation["GetFolder"]);
        Assert.True(metrics.ServerBusyTime >= TimeSpan.FromMilliseconds(4 * 45), metrics.ServerBusyTime.ToString());
        Assert.InRange(metrics.ServerUtilisation, double.Epsilon, 1);
    }

    [Fact]
    public async Task FirstRequestAtIsWhenTheFirstEwsRequestSinceTheResetArrived()
    {
        await using var sim = await StartAsync(new SimulatorOptions { Latency = TimeSpan.FromMilliseconds(50) });
        using var client = EwsClient.Basic(sim);
        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        sim.Control.ResetMetrics();
        Assert.Null(sim.Control.Metrics.FirstRequestAt);

        var before = DateTime.UtcNow;
        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var after = DateTime.UtcNow;
        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);

        var metrics = sim.Control.Metrics;
        Assert.NotNull(metrics.FirstRequestAt);
        Assert.InRange(metrics.FirstRequestAt!.Value, before, after);
        Assert.Null(metrics.Graph.FirstRequestAt);
    }

    private static Task<ExchangeSimulator> StartAsync(SimulatorOptions options)
    {
        options.Users = 9;
        options.ItemsPerFolder = 5;
        return ExchangeSimulator.StartAsync(options);
    }
}
