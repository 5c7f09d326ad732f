using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: a folder that disappears is dropped, whichever way the engine learns it.</summary>
public sealed class FolderRemovalTests : IDisposable
{
    private static readonly SyncOptions AllFolders = new() { AllMailFolders = true };
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_full_hierarchy_read_removes_the_folders_the_server_no_longer_has_and_their_items()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 2);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(3);
        await _harness.SyncAsync(new[] { alice.Address }, AllFolders);

        // Deleted while the hierarchy's sync state was invalid: the full read simply no longer lists it.
        alice.DeleteFolder(projects);
        alice.InvalidateHierarchyStates();
        var first = (await _harness.SyncAsync(new[] { alice.Address }, AllFolders)).For(alice.Address);
        var second = (await _harness.SyncAsync(new[] { alice.Address }, AllFolders)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, SyncStatus.Synced), (first.Status, second.Status));
        Assert.DoesNotContain(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.FolderId == projects.Id);
        _harness.AssertStoreMatches(alice, alice.Inbox);
        Assert.Equal(0, projects.ItemIds.Count(id => _harness.StoredItemIds(alice.Address).Contains(id)));
    }

    [Fact]
    public async Task A_folder_not_found_that_the_hierarchy_never_reports_is_forgotten_and_the_next_run_is_clean()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 2);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(3);
        await _harness.SyncAsync(new[] { alice.Address }, AllFolders);

        alice.DeleteFolder(projects, announced: false);
        var first = await _harness.SyncAsync(new[] { alice.Address }, AllFolders);
        var calls = alice.Calls(FakeCall.SyncItems);
        var second = (await _harness.SyncAsync(new[] { alice.Address }, AllFolders)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 2), (first.For(alice.Address).Status, first.For(alice.Address).Folders));
        Assert.DoesNotContain(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.FolderId == projects.Id);
        _harness.AssertStoreMatches(alice, alice.Inbox);
        Assert.Equal((SyncStatus.Synced, 2, 2), (second.Status, second.Folders, alice.Calls(FakeCall.SyncItems) - calls));
    }
}
