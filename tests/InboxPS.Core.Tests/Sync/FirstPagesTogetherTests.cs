using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>
/// Issue 15, fewer calls for the same work: folders synced from the start get their first pages together where the
/// session offers it (<see cref="IFirstPagesReader"/>), and the hierarchy is read only for -AllMailFolders.
/// </summary>
public sealed class FirstPagesTogetherTests : IDisposable
{
    private static readonly SyncOptions AllFolders = new() { AllMailFolders = true };
    private readonly EngineHarness _harness = new();

    public FirstPagesTogetherTests() => _harness.Protocol.FirstPagesTogether = true;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task The_first_pages_of_a_run_come_together_the_rest_folder_by_folder_and_never_the_hierarchy()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 25);
        alice.PageSize = 10;
        alice.SentItems.AddItems(3);

        var first = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        // Inbox: 10 + 10 + 5 items, Sent Items: 3; the first page of each came in the one call together.
        Assert.Equal((SyncStatus.Synced, true, 2, 28), (first.Status, first.Activated, first.Folders, first.ItemsAdded));
        Assert.Equal((1, 4, 0), (_harness.Protocol.FirstPagesCalls, alice.Calls(FakeCall.SyncItems), alice.Calls(FakeCall.SyncFolders)));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
        Assert.Equal(new[] { "inbox", "sentitems" },
            _harness.Store.GetFolders(EngineHarness.Organization, alice.Address).Select(f => f.WellKnownName).OrderBy(n => n));

        // Incremental: the pages from each folder's state come together too; still no hierarchy.
        alice.Inbox.AddItems(2);
        alice.SentItems.AddItems(1);
        var second = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 2, 3), (second.Status, second.Folders, second.ItemsAdded));
        Assert.Equal((2, 6, 0), (_harness.Protocol.FirstPagesCalls, alice.Calls(FakeCall.SyncItems), alice.Calls(FakeCall.SyncFolders)));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task An_item_skipped_on_a_first_page_read_together_is_read_again_on_the_next_run_not_straight_away()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com");
        alice.PageSize = 10;
        var corrupt = alice.Inbox.AddItems(15)[3];
        alice.SentItems.AddItems(2);
        alice.Inbox.Break(corrupt, Faults.ItemFailed(corrupt));

        var first = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);
        alice.Inbox.Heal(corrupt);
        var second = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 16, 1), (first.Status, first.ItemsAdded, first.ItemsSkipped));
        Assert.Equal((SyncStatus.Synced, 1, 0), (second.Status, second.ItemsAdded, second.ItemsSkipped));
        Assert.Equal(1, alice.Calls(FakeCall.ReadItems));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task Items_skipped_by_an_earlier_run_are_read_first_and_once_then_the_pages_come_together()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com");
        var corrupt = alice.Inbox.AddItems(3)[1];
        alice.SentItems.AddItems(2);
        alice.Inbox.Break(corrupt, Faults.ItemFailed(corrupt));
        await _harness.SyncAsync(new[] { alice.Address });

        alice.Inbox.Heal(corrupt);
        alice.SentItems.AddItems(1);
        var rerun = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 2, 0), (rerun.Status, rerun.ItemsAdded, rerun.ItemsSkipped));
        Assert.Equal((1, 2), (alice.Calls(FakeCall.ReadItems), _harness.Protocol.FirstPagesCalls));
        Assert.Empty(_harness.Store.GetSkippedItems(EngineHarness.Organization, alice.Address, alice.Inbox.Id));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task A_folder_whose_state_is_refused_in_the_pages_together_restarts_alone_and_the_others_are_kept()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 4);
        alice.SentItems.AddItems(2);
        await _harness.SyncAsync(new[] { alice.Address });

        alice.Inbox.AddItems(1);
        alice.SentItems.AddItems(3);
        alice.Inbox.InvalidateSyncStates();
        var run = await _harness.SyncAsync(new[] { alice.Address });

        // Inbox: refused together, refused again alone, then read from the start (5 items, its old 4 dropped first).
        var result = run.For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 2, 8), (result.Status, result.Folders, result.ItemsAdded));
        Assert.Contains(run.Lines, l => l.Contains("sync state of folder 'Inbox' is no longer valid", StringComparison.Ordinal));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task A_folder_gone_before_its_first_page_is_synced_alone_which_drops_it_and_the_others_are_kept()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(4);
        alice.BeforeCall = (call, _) =>
        {
            if (call == FakeCall.SyncItems && alice.Folders.Contains(projects))
            {
                alice.DeleteFolder(projects);
            }
        };

        var run = await _harness.SyncAsync(new[] { alice.Address }, AllFolders);

        var result = run.For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 2, 3), (result.Status, result.Folders, result.ItemsAdded));
        Assert.Equal(1, _harness.Protocol.FirstPagesCalls);
        Assert.DoesNotContain(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.FolderId == projects.Id);
        Assert.Contains(run.Lines, l => l.Contains("folder 'Projects' no longer exists", StringComparison.Ordinal));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task A_choice_narrowed_from_all_mail_folders_skips_the_hierarchy_and_widening_again_catches_up_from_its_state()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 2);
        alice.AddFolder("Projects").AddItems(3);
        await _harness.SyncAsync(new[] { alice.Address }, AllFolders);
        var hierarchyReads = alice.Calls(FakeCall.SyncFolders);

        var narrowed = (await _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { Folders = new[] { "inbox" } })).For(alice.Address);
        var later = alice.AddFolder("Later");
        later.AddItems(2);
        Assert.Equal(hierarchyReads, alice.Calls(FakeCall.SyncFolders));

        var widened = (await _harness.SyncAsync(new[] { alice.Address }, AllFolders)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 1), (narrowed.Status, narrowed.Folders));
        Assert.Equal((SyncStatus.Synced, 4, 5), (widened.Status, widened.Folders, widened.ItemsAdded));
        Assert.Contains(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.FolderId == later.Id && f.Selected);
        _harness.AssertStoreMatches(alice, alice.Folders.Where(f => f.FolderClass == "IPF.Note").ToArray());
    }
}
