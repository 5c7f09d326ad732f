using System.Diagnostics;
using InboxPS.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace InboxPS.Simulator.Tests;

/// <summary>A big tenant costs memory only for what changed: 10,000 mailboxes with 1,000 items per Inbox.</summary>
[Collection(nameof(RunsAlone))]
public sealed class ScaleTests
{
    private readonly ITestOutputHelper _output;

    public ScaleTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task TenThousandMailboxesStartSmallAndStaySmallWhileBeingSynced()
    {
        // Warm up once so the measurement leaves out what every simulator in the process shares (keys, ASP.NET Core).
        await (await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 1, ItemsPerFolder = 1 })).DisposeAsync();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 10_000, ItemsPerFolder = 1_000 });
        var started = clock.Elapsed;
        using var client = EwsClient.Basic(sim);
        var mailboxes = new[] { sim.MailboxAddresses[0], sim.MailboxAddresses[4_999], sim.MailboxAddresses[^1] };
        foreach (var mailbox in mailboxes)
        {
            var store = new Dictionary<string, bool>();
            await Ops.SyncToEndAsync(client, mailbox, "inbox", null, 512, store);
            Assert.Equal(1_000, store.Count);
            sim.Control.InjectChanges(mailbox, "inbox", creates: 5, updates: 5, deletes: 5, readFlagChanges: 5);
        }

        var users = sim.Control.ListUsers(skip: 9_998);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        _output.WriteLine($"Started in {started.TotalMilliseconds:F0} ms; heap growth {(after - before) / 1024.0 / 1024.0:F1} MB after syncing 3 mailboxes.");

        Assert.Equal(("user00001@contoso.test", "user10000@contoso.test"), (sim.MailboxAddresses[0], sim.MailboxAddresses[^1]));
        Assert.Equal(10_000, sim.MailboxAddresses.Count);
        Assert.Equal(2, users.Count);
        Assert.Equal(3, sim.Metrics.MaterialisedMailboxes);
        Assert.True(after - before < 64L * 1024 * 1024, $"The heap grew by {(after - before) / 1024 / 1024} MB.");
    }
}
