using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: deleting means deleting: every way an item leaves the store also removes its .eml file.</summary>
public sealed class ContentDeletionTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private SyncOptions Mime(bool allFolders = false) => new()
    {
        Folders = new[] { "inbox" }, AllMailFolders = allFolders, IncludeMime = true, ContentPath = _harness.ContentPath,
    };

    private string[] Files() => Directory.Exists(_harness.ContentPath)
        ? Directory.GetFiles(_harness.ContentPath, "*.eml", SearchOption.AllDirectories)
        : Array.Empty<string>();

    [Fact]
    public async Task Items_deleted_on_the_server_take_their_eml_files_with_them()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 6);
        await _harness.SyncAsync(new[] { alice.Address }, Mime());
        foreach (var id in alice.Inbox.ItemIds.Take(4).ToArray())
        {
            alice.Inbox.Delete(id);
        }

        var run = (await _harness.SyncAsync(new[] { alice.Address }, Mime())).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 4), (run.Status, run.ItemsDeleted));
        Assert.Equal(2, Files().Length);
    }

    [Fact]
    public async Task A_deleted_folder_takes_its_eml_files_with_it()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 2);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(5);
        await _harness.SyncAsync(new[] { alice.Address }, Mime(allFolders: true));
        Assert.Equal(7, Files().Length);

        alice.DeleteFolder(projects);
        await _harness.SyncAsync(new[] { alice.Address }, Mime(allFolders: true));

        Assert.Equal(2, Files().Length);
    }

    [Fact]
    public async Task Removing_a_users_data_and_removing_the_organization_delete_their_eml_files()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 5);
        var bob = _harness.Protocol.Add("bob@contoso.com", items: 3);
        await _harness.SyncAsync(new[] { alice.Address, bob.Address }, Mime());
        Assert.Equal(8, Files().Length);

        _harness.Store.Deactivate(EngineHarness.Organization, alice.Address, removeData: true);
        Assert.Equal(3, Files().Length);
        Assert.False(Directory.Exists(Path.Combine(_harness.ContentPath, alice.Address)));

        _harness.Store.RemoveOrganization(EngineHarness.Organization);
        Assert.Empty(Files());
    }

    [Fact]
    public async Task A_folder_resync_leaves_exactly_the_files_of_the_items_the_folder_holds()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 6);
        await _harness.SyncAsync(new[] { alice.Address }, Mime());
        alice.Inbox.Delete(alice.Inbox.ItemIds.First());
        alice.Inbox.InvalidateSyncStates();

        var run = (await _harness.SyncAsync(new[] { alice.Address }, Mime())).For(alice.Address);

        Assert.Equal(SyncStatus.Synced, run.Status);
        Assert.Equal(5, Files().Length);
    }
}
