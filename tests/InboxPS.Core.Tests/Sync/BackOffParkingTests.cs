using System.Diagnostics;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>A server back-off parks its mailbox, never its worker: the mailbox comes back when (and not before) the
/// back-off ends, and the run ends when every mailbox is done.</summary>
public sealed class BackOffParkingTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_mailbox_told_to_back_off_is_parked_until_then_while_its_only_worker_syncs_the_others()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com", items: 5);
        var others = Enumerable.Range(0, 3).Select(i => _harness.Protocol.Add($"user{i}@contoso.com", items: 2)).ToArray();
        busy.Fail(FakeCall.SyncItems, Faults.BackOff(busy.Address, TimeSpan.FromMilliseconds(300)));
        var failedAt = TimeSpan.Zero;
        var cameBackAt = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        busy.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 1)
            {
                failedAt = clock.Elapsed;
            }
            else if (call == FakeCall.Open || (call == FakeCall.GetFolder && count == 2))
            {
                cameBackAt = clock.Elapsed;
            }
        };

        var run = await _harness.SyncAsync(others.Select(m => m.Address).Prepend(busy.Address), new SyncOptions { ThrottleLimit = 1 });

        Assert.Equal(others.Select(m => m.Address).Append(busy.Address), run.Synced.Select(r => r.Mailbox));
        Assert.Equal((SyncStatus.Synced, 5), (run.For(busy.Address).Status, run.For(busy.Address).ItemsAdded));
        Assert.True(cameBackAt - failedAt >= TimeSpan.FromMilliseconds(300), $"came back {(cameBackAt - failedAt).TotalMilliseconds} ms after the back-off began");
        Assert.Contains(run.Lines, l => l.StartsWith("Warning: busy@contoso.com:", StringComparison.Ordinal) && l.Contains("Parked until the server's back-off ends"));
        _harness.AssertStoreMatches(busy, busy.Inbox, busy.SentItems);
    }

    [Fact]
    public async Task A_storm_of_long_back_offs_on_as_many_mailboxes_as_workers_holds_no_worker()
    {
        var throttled = Enumerable.Range(0, 4).Select(i => _harness.Protocol.Add($"throttled{i}@contoso.com", items: 1)).ToArray();
        var others = Enumerable.Range(0, 20).Select(i => _harness.Protocol.Add($"user{i:00}@contoso.com", items: 1)).ToArray();
        foreach (var mailbox in throttled)
        {
            // Long enough for 20 quick mailboxes to finish first on a loaded machine.
            mailbox.Fail(FakeCall.GetFolder, Faults.BackOff(mailbox.Address, TimeSpan.FromSeconds(3)));
        }

        var clock = Stopwatch.StartNew();
        var run = await _harness.SyncAsync(throttled.Concat(others).Select(m => m.Address), new SyncOptions { ThrottleLimit = 4 });

        Assert.All(run.Synced, r => Assert.Equal(SyncStatus.Synced, r.Status));
        var order = run.Synced.Select(r => r.Mailbox).ToList();
        Assert.Equal(others.Select(m => m.Address).OrderBy(a => a), order.Take(20).OrderBy(a => a));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3));
        Assert.Contains(run.ProgressReports, p => System.Text.RegularExpressions.Regex.IsMatch(p.Status, @", [1-4] parked \(next back in [0-3]s\)$"));
    }

    [Fact]
    public async Task Parked_mailboxes_come_back_when_due_even_while_the_input_is_still_arriving()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com", items: 1);
        busy.Fail(FakeCall.GetFolder, Faults.BackOff(busy.Address, TimeSpan.FromMilliseconds(100)));
        var others = Enumerable.Range(0, 12).Select(i => _harness.Protocol.Add($"user{i:00}@contoso.com", items: 1)).ToArray();
        foreach (var mailbox in others)
        {
            // 12 mailboxes of 50 ms each on one worker: the back-off ends long before the input does.
            mailbox.BeforeCall = (call, _) =>
            {
                if (call == FakeCall.GetFolder)
                {
                    Thread.Sleep(50);
                }
            };
        }

        var run = await _harness.SyncAsync(others.Select(m => m.Address).Prepend(busy.Address), new SyncOptions { ThrottleLimit = 1 });

        var position = run.Synced.Select(r => r.Mailbox).ToList().IndexOf(busy.Address);
        Assert.InRange(position, 1, 8);
        Assert.Equal(SyncStatus.Synced, run.For(busy.Address).Status);
    }

    [Fact]
    public async Task A_mailbox_throttled_on_every_visit_fails_with_the_server_error_after_MaxBackOffParks()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com", items: 1);
        busy.FailAlways(FakeCall.GetFolder, Faults.BackOff(busy.Address, TimeSpan.FromMilliseconds(20)));

        var run = await _harness.SyncAsync(new[] { busy.Address }, new SyncOptions { MaxBackOffParks = 3 });

        var result = Assert.Single(run.Synced);
        Assert.Equal((SyncStatus.Failed, "FakeServerBusy"), (result.Status, result.ErrorId));
        Assert.Equal(4, busy.Calls(FakeCall.GetFolder));
    }
}
