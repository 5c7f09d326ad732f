using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: "Synced" only when it is; an interrupted folder resync shows and finishes on the next run.</summary>
public sealed class TruthfulStatusTests : IDisposable
{
    private static readonly SyncOptions InboxOnly = new() { Folders = new[] { "inbox" } };
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_folder_resync_killed_part_way_is_not_shown_as_synced_and_the_next_run_finishes_it()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 40);
        await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);
        Assert.Equal(RosterStatus.Synced, Status(alice));

        // The server forgets the state; the resync is killed after its second page was stored.
        alice.Inbox.InvalidateSyncStates();
        using var kill = new CancellationTokenSource();
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 8)
            {
                kill.Cancel();
            }
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _harness.SyncAsync(new[] { alice.Address }, InboxOnly, kill.Token));

        Assert.Equal(20, _harness.StoredItemIds(alice.Address).Count);
        Assert.Equal(RosterStatus.Incomplete, Status(alice));

        alice.BeforeCall = null;
        var rerun = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);

        Assert.Equal(SyncStatus.Synced, rerun.Status);
        Assert.Equal(RosterStatus.Synced, Status(alice));
        _harness.AssertStoreMatches(alice, alice.Inbox);
    }

    private string Status(FakeMailbox mailbox) => _harness.Store.GetRosterEntry(EngineHarness.Organization, mailbox.Address)!.Status;
}
