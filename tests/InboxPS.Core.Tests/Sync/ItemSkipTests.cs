using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: one bad item never blocks a folder; it is skipped with its reason, counted, and read again later.</summary>
public sealed class ItemSkipTests : IDisposable
{
    private static readonly SyncOptions InboxOnly = new() { Folders = new[] { "inbox" } };
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_corrupt_item_is_skipped_with_its_reason_the_folder_advances_and_a_later_run_reads_it()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 25);
        var corrupt = alice.Inbox.ItemIds.OrderBy(id => id, StringComparer.Ordinal).ElementAt(12);
        alice.Inbox.Break(corrupt, new InboxException("EwsErrorItemCorrupt", InboxErrorKind.InvalidData,
            "GetItem failed with ErrorItemCorrupt", fault: SyncFault.ItemFailed));

        var first = await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);

        var result = first.For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 24, 1), (result.Status, result.ItemsAdded, result.ItemsSkipped));
        Assert.Contains("ErrorItemCorrupt", result.Message);
        Assert.DoesNotContain(corrupt, _harness.StoredItemIds(alice.Address));
        Assert.Equal(1, _harness.Store.GetRosterEntry(EngineHarness.Organization, alice.Address)!.SkippedItems);
        var skipped = Assert.Single(_harness.Store.GetSkippedItems(EngineHarness.Organization, alice.Address, alice.Inbox.Id));
        Assert.Equal((corrupt, "EwsErrorItemCorrupt"), (skipped.ItemId, skipped.ErrorId));
        Assert.Contains(first.Lines, l => l.StartsWith("Warning: alice@contoso.com:", StringComparison.Ordinal) && l.Contains("ErrorItemCorrupt"));

        // Still broken: skipped again, never blocking the folder; the rest of the run is unchanged.
        alice.Inbox.AddItems(2);
        var second = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 2, 1), (second.Status, second.ItemsAdded, second.ItemsSkipped));

        alice.Inbox.Heal(corrupt);
        var third = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 1, 0), (third.Status, third.ItemsAdded, third.ItemsSkipped));
        _harness.AssertStoreMatches(alice, alice.Inbox);
        Assert.Empty(_harness.Store.GetSkippedItems(EngineHarness.Organization, alice.Address, alice.Inbox.Id));
        Assert.Equal(0, _harness.Store.GetRosterEntry(EngineHarness.Organization, alice.Address)!.SkippedItems);
    }

    [Fact]
    public async Task A_skipped_item_deleted_on_the_server_meanwhile_is_forgotten()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 5);
        var broken = alice.Inbox.ItemIds.First();
        alice.Inbox.Break(broken, new InboxException("EwsErrorMessageSizeExceeded", InboxErrorKind.LimitsExceeded,
            "GetItem failed with ErrorMessageSizeExceeded", fault: SyncFault.ItemFailed));
        await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);

        alice.Inbox.Delete(broken);
        var rerun = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 0), (rerun.Status, rerun.ItemsSkipped));
        _harness.AssertStoreMatches(alice, alice.Inbox);
        Assert.Empty(_harness.Store.GetSkippedItems(EngineHarness.Organization, alice.Address, alice.Inbox.Id));
    }

    [Fact]
    public async Task A_reset_folder_forgets_its_skipped_items()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 5);
        alice.Inbox.Break(alice.Inbox.ItemIds.First(), new InboxException("EwsErrorItemCorrupt", InboxErrorKind.InvalidData,
            "corrupt", fault: SyncFault.ItemFailed));
        await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);

        _harness.Store.ResetFolder(EngineHarness.Organization, alice.Address, alice.Inbox.Id);

        Assert.Empty(_harness.Store.GetSkippedItems(EngineHarness.Organization, alice.Address, alice.Inbox.Id));
    }
}
