using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// The honest server of issue 15: a per-mailbox time budget (burst, recharge, cutoff), service time that grows with the
/// work a call carries, a front-end capacity changed during a run, and back-offs of a chosen length. Each test runs its
/// own simulator because it changes server-wide settings.
/// </summary>
public sealed class MailboxBudgetTests
{
    private const string Mailbox = "user0001@contoso.test";

    [Fact]
    public async Task AMailboxThatSpentItsBurstBacksOffUntilItsBudgetHasRechargedThenIsServed()
    {
        // 100 ms of burst, 100 ms regained per second; a call costs 300 ms, so it leaves about 200 ms of debt: 2 s to repay.
        await using var sim = await StartAsync(new SimulatorOptions
        {
            EwsMaxBurst = TimeSpan.FromMilliseconds(100), EwsRechargeRate = TimeSpan.FromMilliseconds(360_000),
            Latency = TimeSpan.FromMilliseconds(300), BackOffGrace = TimeSpan.Zero,
        });
        using var client = EwsClient.Basic(sim);

        var first = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var debt = sim.Control.GetBudgetBalance(Mailbox);
        var refused = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var otherMailbox = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");
        await Task.Delay(TimeSpan.FromMilliseconds(refused.BackOffMilliseconds!.Value + 100));
        var afterWaiting = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);

        Assert.Equal("NoError", first.ResponseCode);
        Assert.InRange(debt.TotalMilliseconds, -300, -150);
        Assert.Equal((HttpStatusCode.InternalServerError, "ErrorServerBusy"), (refused.Status, refused.FaultCode));
        Assert.InRange(refused.BackOffMilliseconds!.Value, -debt.TotalMilliseconds * 10 - 300, -debt.TotalMilliseconds * 10 + 10);
        Assert.Equal("NoError", otherMailbox.ResponseCode);
        Assert.Equal("NoError", afterWaiting.ResponseCode);
        Assert.Equal(0, sim.Control.Metrics.BackOffViolations);
    }

    [Fact]
    public async Task HammeringAMailboxRunsItsBudgetIntoDebtAndTheBackOffGrowsWithTheDebt()
    {
        // No burst and on-premises recharge (900,000 ms per hour): ten parallel 200 ms calls leave 2 s of debt, 8 s to repay.
        await using var sim = await StartAsync(new SimulatorOptions { EwsMaxBurst = TimeSpan.Zero, Latency = TimeSpan.FromMilliseconds(200) });
        using var client = EwsClient.Basic(sim);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0003@contoso.test")));

        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox)));
        var debt = -sim.Control.GetBudgetBalance(Mailbox).TotalMilliseconds;
        var refused = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        sim.Control.ClearBackOffs();
        sim.Control.SetThrottling(maxBurst: TimeSpan.Zero, maxBudgetBackOff: TimeSpan.FromSeconds(5));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test")));
        var capped = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");

        Assert.All(burst, a => Assert.Equal("NoError", a.ResponseCode));
        Assert.Equal("ErrorServerBusy", refused.FaultCode);
        // Each call is charged the time it held the server (200 ms or more on a loaded machine), so the debt is read, not
        // assumed; the back-off is the time to repay it (4 ms a millisecond of debt), less what recharged before the call.
        Assert.InRange(debt, 1_800, 10 * 1_000);
        Assert.InRange(refused.BackOffMilliseconds!.Value, debt * 4 - 1_000, debt * 4 + 10);
        Assert.Equal(5_000, capped.BackOffMilliseconds);
    }

    [Fact]
    public async Task AnswersKeepTheServerBusyLongerTheMoreItemsTheyCarry()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            ItemsPerFolder = 40, CallCost = TimeSpan.FromMilliseconds(20), ItemCost = TimeSpan.FromMilliseconds(4),
        });
        using var client = EwsClient.Basic(sim);
        // Warm-up (JIT, connection) on another mailbox, so the measured calls cost only what the model says.
        await client.SendAsync(Ops.SyncFolderItems("inbox", null, 40), "user0003@contoso.test");

        var small = await BusyTimeAsync(sim, () => client.SendAsync(Ops.SyncFolderItems("inbox", null, 1), Mailbox));
        var smallItems = sim.Control.Metrics.ItemsServed;
        var large = await BusyTimeAsync(sim, () => client.SendAsync(Ops.SyncFolderItems("inbox", null, 40), Mailbox));
        var largeItems = sim.Control.Metrics.ItemsServed;
        sim.Control.SetServiceTime(perCall: TimeSpan.Zero, perItem: TimeSpan.Zero, perKilobyte: TimeSpan.FromMilliseconds(2));
        var bytes = await BusyTimeAsync(sim, () => client.SendAsync(Ops.SyncFolderItems("inbox", null, 40), "user0002@contoso.test"));
        var kilobytes = sim.Control.Metrics.BytesServed / 1024.0;

        Assert.Equal((1, 40), (smallItems, largeItems));
        // Timers may fire up to a couple of milliseconds early (millisecond tick granularity).
        Assert.InRange(small.TotalMilliseconds, 20 + 4 - 2, 20 + 4 + 120);
        Assert.InRange(large.TotalMilliseconds, 20 + 4 * 40 - 2, 20 + 4 * 40 + 120);
        Assert.InRange(bytes.TotalMilliseconds, 2 * kilobytes - 2, 2 * kilobytes + 120);
    }

    [Fact]
    public async Task MetricsGiveEachOperationAndEachFoldersChainOfSyncPagesTheServiceTimeTheModelCharged()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            ItemsPerFolder = 40, CallCost = TimeSpan.FromMilliseconds(2), ItemCost = TimeSpan.FromMilliseconds(1),
            KilobyteCost = TimeSpan.FromMilliseconds(1),
        });
        using var client = EwsClient.Basic(sim);
        using var graph = await GraphHttp.SignInAsync(sim);

        sim.Control.ResetMetrics();
        var first = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 30), Mailbox);
        await client.SendAsync(Ops.SyncFolderItems("inbox", Ops.State(first), 30), Mailbox);
        await client.SendAsync(Ops.SyncFolderItems("sentitems", null, 5), Mailbox);
        await client.SendAsync(Ops.GetItem(Ops.Changes(first).Take(3).Select(c => c.ItemId)), Mailbox);
        await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox/messages/delta", "Prefer: odata.maxpagesize=7");
        var metrics = sim.Control.Metrics;

        var sync = metrics.ServedByOperation["SyncFolderItems"];
        var getItem = metrics.ServedByOperation["GetItem"];
        var inbox = metrics.SyncPagesByFolder["Inbox"];
        var sent = metrics.SyncPagesByFolder["Sent Items"];
        Assert.Equal((3L, 45L), (sync.Calls, sync.Items));
        Assert.Equal((1L, 3L), (getItem.Calls, getItem.Items));
        Assert.Equal((2L, 40L, 1L, 5L), (inbox.Calls, inbox.Items, sent.Calls, sent.Items));
        Assert.Equal(sync.Bytes, inbox.Bytes + sent.Bytes);
        Assert.Equal((metrics.ItemsServed, metrics.BytesServed), (sync.Items + getItem.Items, sync.Bytes + getItem.Bytes));
        foreach (var work in new[] { sync, getItem, inbox, sent })
        {
            AssertChargedAsTheModelSays(work);
        }

        var delta = metrics.Graph.ServedByEndpoint["messages/delta"];
        Assert.Equal((1L, 7L), (delta.Calls, delta.Items));
        Assert.Equal(delta, metrics.Graph.SyncPagesByFolder["Inbox"]);
        AssertChargedAsTheModelSays(delta);

        // 2 ms a call + 1 ms an item + 1 ms a kilobyte, from the model, not from a clock: the kilobytes round down to the
        // tick in each call.
        static void AssertChargedAsTheModelSays(ServedWork work)
        {
            var expectedMs = 2.0 * work.Calls + work.Items + work.Bytes / 1024.0;
            Assert.True(work.Bytes > 0);
            Assert.InRange(work.ServiceTime.TotalMilliseconds, expectedMs - 0.0001 * work.Calls, expectedMs);
        }
    }

    [Fact]
    public async Task TheFrontEndCapacityCanShrinkAndGrowDuringARunThroughTheControlApi()
    {
        await using var sim = await StartAsync(new SimulatorOptions { ServerCapacity = 16, CallCost = TimeSpan.FromMilliseconds(400) });
        using var client = EwsClient.Basic(sim);
        using var control = new HttpClient(sim.CreateTrustingHandler()) { BaseAddress = sim.ControlUrl };

        var wide = await SendToManyAsync(client, 8);
        await PostAsync(control, "throttling", new { serverCapacity = 4 });
        var narrow = await SendToManyAsync(client, 8);
        var narrowRefused = sim.Control.Metrics.ServerFull503;
        await PostAsync(control, "throttling", new { serverCapacity = 16 });
        var wideAgain = await SendToManyAsync(client, 8);

        Assert.All(wide, a => Assert.Equal("NoError", a.ResponseCode));
        Assert.InRange(narrow.Count(a => a.Status == HttpStatusCode.ServiceUnavailable), 4, 7);
        Assert.Equal(narrow.Count(a => a.Status == HttpStatusCode.ServiceUnavailable), narrowRefused);
        Assert.All(wideAgain, a => Assert.Equal("NoError", a.ResponseCode));
    }

    [Fact]
    public async Task AScheduledCapacityChangeHappensAtItsTimeNotBefore()
    {
        await using var sim = await StartAsync(new SimulatorOptions { ServerCapacity = 16 });
        using var control = new HttpClient(sim.CreateTrustingHandler()) { BaseAddress = sim.ControlUrl };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await PostAsync(control, "throttling/capacity-schedule", new { steps = new[] { new { afterMs = 1500, serverCapacity = 4 }, new { afterMs = 3000, serverCapacity = 12 } } });
        var storm = await WhenCapacityIsAsync(sim, 4, clock);
        var recovered = await WhenCapacityIsAsync(sim, 12, clock);

        // Measured from before the request, so the schedule (started when the request arrived) cannot look late here.
        Assert.InRange(storm.TotalMilliseconds, 1500, 15_000);
        Assert.InRange(recovered.TotalMilliseconds, 3000, 15_000);
    }

    private static async Task<TimeSpan> WhenCapacityIsAsync(ExchangeSimulator sim, int capacity, System.Diagnostics.Stopwatch clock)
    {
        while (sim.Control.Metrics.ServerCapacity != capacity && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(20);
        }

        return clock.Elapsed;
    }

    [Fact]
    public async Task AMailboxThrottledThroughTheControlApiCarriesTheBackOffItWasGiven()
    {
        await using var sim = await StartAsync(new SimulatorOptions { BackOff = TimeSpan.FromSeconds(5) });
        using var client = EwsClient.Basic(sim);
        using var control = new HttpClient(sim.CreateTrustingHandler()) { BaseAddress = sim.ControlUrl };

        await PostAsync(control, $"mailboxes/{Mailbox}/throttle", new { busyCalls = 1, backOffMs = 300_000 });
        await PostAsync(control, "mailboxes/user0002@contoso.test/throttle", new { busyCalls = 1 });
        var longBackOff = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), Mailbox);
        var serverBackOff = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");
        var budget = JsonDocument.Parse(await control.GetStringAsync($"mailboxes/{Mailbox}/budget")).RootElement;

        Assert.Equal(("ErrorServerBusy", 300_000L), (longBackOff.FaultCode, longBackOff.BackOffMilliseconds!.Value));
        Assert.Equal(("ErrorServerBusy", 5_000L), (serverBackOff.FaultCode, serverBackOff.BackOffMilliseconds!.Value));
        Assert.Equal(300_000, budget.GetProperty("balanceMs").GetDouble());
    }

    [Fact]
    public async Task GraphPaysServiceTimePerEntryOfADeltaPageAndCarriesTheBackOffAMailboxWasGiven()
    {
        await using var sim = await StartAsync(new SimulatorOptions
        {
            ItemsPerFolder = 40, CallCost = TimeSpan.FromMilliseconds(20), ItemCost = TimeSpan.FromMilliseconds(4),
        });
        using var graph = await GraphHttp.SignInAsync(sim);
        await graph.GetAsync("users/user0003@contoso.test/mailFolders/inbox/messages/delta", "Prefer: odata.maxpagesize=40");

        sim.Control.ResetMetrics();
        var page = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox/messages/delta", "Prefer: odata.maxpagesize=40");
        var metrics = sim.Control.Metrics.Graph;
        sim.Control.ThrottleMailbox("user0002@contoso.test", 1, TimeSpan.FromSeconds(300));
        var busy = await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(40, metrics.ItemsServed);
        Assert.InRange(metrics.BusyTime.TotalMilliseconds, 20 + 4 * 40 - 2, 20 + 4 * 40 + 150);
        Assert.Equal((HttpStatusCode.TooManyRequests, "300"), (busy.Status, busy.Header("Retry-After")));
    }

    private static async Task<TimeSpan> BusyTimeAsync(ExchangeSimulator sim, Func<Task<EwsAnswer>> call)
    {
        sim.Control.ResetMetrics();
        Assert.Equal("NoError", (await call()).ResponseCode);
        return sim.Control.Metrics.ServerBusyTime;
    }

    private static Task<EwsAnswer[]> SendToManyAsync(EwsClient client, int mailboxes) =>
        Task.WhenAll(Enumerable.Range(1, mailboxes).Select(i => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), $"user{i:d4}@contoso.test")));

    private static async Task PostAsync(HttpClient control, string path, object body)
    {
        using var response = await control.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task<ExchangeSimulator> StartAsync(SimulatorOptions options)
    {
        options.Users = 9;
        return ExchangeSimulator.StartAsync(options);
    }
}
