using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>One mailbox's sync over the fake protocol: paging, incremental reruns, invalid states, folder selection,
/// MIME export.</summary>
public sealed class MailboxSynchronizerTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Items_are_read_across_many_pages_and_a_rerun_only_brings_what_changed()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 95);
        alice.PageSize = 7;
        alice.SentItems.AddItems(30);

        var first = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, true, 2, 125), (first.Status, first.Activated, first.Folders, first.ItemsAdded));
        Assert.Equal(14 + 5, alice.Calls(FakeCall.SyncItems));
        Assert.Equal(alice.Calls(FakeCall.Open) + alice.Calls(FakeCall.GetFolder) + alice.Calls(FakeCall.SyncFolders) + alice.Calls(FakeCall.SyncItems) - 1, first.Attempts);
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);

        var inbox = alice.Inbox.ItemIds.OrderBy(id => id, StringComparer.Ordinal).ToArray();
        alice.Inbox.AddItems(3);
        alice.Inbox.Delete(inbox[0]);
        alice.Inbox.Delete(inbox[1]);
        alice.Inbox.MarkRead(inbox[2]);
        var second = (await _harness.SyncAsync(new[] { alice.Address })).For(alice.Address);

        Assert.Equal((false, 3, 1, 2), (second.Activated, second.ItemsAdded, second.ItemsUpdated, second.ItemsDeleted));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
    }

    [Fact]
    public async Task A_mailbox_reached_by_a_new_primary_address_syncs_its_roster_entry_and_stores_its_items_once()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 12);
        await _harness.SyncAsync(new[] { alice.Address });
        _harness.Protocol.AddAddress(alice, "alice.smith@contoso.com");
        alice.Inbox.AddItems(2);

        var run = await _harness.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = "alice.smith@contoso.com" } });

        var result = run.For("alice.smith@contoso.com");
        Assert.Equal((SyncStatus.Synced, false, 2), (result.Status, result.Activated, result.ItemsAdded));
        Assert.Equal(new[] { "alice@contoso.com" }, _harness.Store.GetRoster(EngineHarness.Organization, activeOnly: false).Select(e => e.Mailbox));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
        Assert.Empty(_harness.StoredItemIds("alice.smith@contoso.com"));
    }

    [Fact]
    public async Task An_invalid_item_sync_state_restarts_that_folder_without_duplicates()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 40);
        alice.SentItems.AddItems(4);
        await _harness.SyncAsync(new[] { alice.Address });

        alice.Inbox.AddItems(5);
        alice.Inbox.InvalidateSyncStates();
        var run = await _harness.SyncAsync(new[] { alice.Address });

        var result = run.For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 45), (result.Status, result.ItemsAdded));
        _harness.AssertStoreMatches(alice, alice.Inbox, alice.SentItems);
        Assert.Contains(run.Lines, l => l.StartsWith("Warning: alice@contoso.com: the sync state of folder 'Inbox' is no longer valid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_folder_whose_state_is_refused_again_after_the_restart_fails_the_mailbox()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 4);
        var bob = _harness.Protocol.Add("bob@contoso.com", items: 4);
        alice.FailAlways(FakeCall.SyncItems, Faults.InvalidSyncState("the inbox"));

        var run = await _harness.SyncAsync(new[] { alice.Address, bob.Address });

        Assert.Equal((SyncStatus.Failed, "FakeInvalidSyncState"), (run.For(alice.Address).Status, run.For(alice.Address).ErrorId));
        Assert.Equal(2, alice.Calls(FakeCall.SyncItems));
        Assert.Equal(SyncStatus.Synced, run.For(bob.Address).Status);
    }

    [Fact]
    public async Task An_invalid_hierarchy_state_reads_the_hierarchy_again_without_duplicate_folders()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 2);
        alice.PageSize = 2;
        var options = new SyncOptions { AllMailFolders = true };
        await _harness.SyncAsync(new[] { alice.Address }, options);

        alice.AddFolder("Projects");
        alice.InvalidateHierarchyStates();
        var run = await _harness.SyncAsync(new[] { alice.Address }, options);

        Assert.Equal(SyncStatus.Synced, run.For(alice.Address).Status);
        Assert.Equal(alice.Folders.Select(f => f.Id).OrderBy(id => id),
            _harness.Store.GetFolders(EngineHarness.Organization, alice.Address).Select(f => f.FolderId).OrderBy(id => id));
        Assert.Contains(run.Lines, l => l.Contains("the folder hierarchy's sync state is no longer valid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task All_mail_folders_syncs_every_mail_folder_and_follows_new_ones()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(4);
        alice.Folder("calendar").AddItems(9);
        var options = new SyncOptions { AllMailFolders = true };

        var first = (await _harness.SyncAsync(new[] { alice.Address }, options)).For(alice.Address);
        var later = alice.AddFolder("Later");
        later.AddItems(2);
        var second = (await _harness.SyncAsync(new[] { alice.Address }, options)).For(alice.Address);

        // Inbox, Sent Items and Projects; never the calendar or the root (not IPF.Note).
        Assert.Equal((3, 7), (first.Folders, first.ItemsAdded));
        Assert.Equal((4, 2), (second.Folders, second.ItemsAdded));
        _harness.AssertStoreMatches(alice, alice.Inbox, projects, later);
    }

    [Fact]
    public async Task A_run_that_names_no_folders_syncs_each_user_with_the_folders_chosen_for_them()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        alice.AddFolder("Projects").AddItems(4);
        var bob = _harness.Protocol.Add("bob@contoso.com", items: 5);
        bob.SentItems.AddItems(2);
        await _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { AllMailFolders = true });
        await _harness.SyncAsync(new[] { bob.Address }, new SyncOptions { Folders = new[] { "Inbox" } });

        var later = alice.AddFolder("Later");
        later.AddItems(2);
        var carol = _harness.Protocol.Add("carol@contoso.com", items: 1);
        var runbook = await _harness.SyncAsync(new[] { alice.Address, bob.Address, carol.Address }, new SyncOptions { KeepChosenFolders = true });

        // Alice: every mail folder, the new one too; Bob: only his Inbox; Carol, new: the folders the command gives.
        Assert.Equal((4, 2), (runbook.For(alice.Address).Folders, runbook.For(alice.Address).ItemsAdded));
        Assert.Equal((1, 0), (runbook.For(bob.Address).Folders, runbook.For(bob.Address).ItemsAdded));
        Assert.Equal(2, runbook.For(carol.Address).Folders);
        Assert.Equal("*;inbox,sentitems", _harness.Store.GetRosterEntry(EngineHarness.Organization, alice.Address)!.FolderChoice!.Serialize());
        Assert.Equal("inbox", _harness.Store.GetRosterEntry(EngineHarness.Organization, bob.Address)!.FolderChoice!.Serialize());

        // Folders given again replace the choice.
        await _harness.SyncAsync(new[] { bob.Address }, new SyncOptions());
        var again = await _harness.SyncAsync(new[] { bob.Address }, new SyncOptions { KeepChosenFolders = true });
        Assert.Equal((2, 0), (again.For(bob.Address).Folders, again.For(bob.Address).ItemsAdded));
    }

    [Fact]
    public async Task A_folder_deleted_after_the_hierarchy_was_read_is_dropped_and_the_rest_syncs()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        var projects = alice.AddFolder("Projects");
        projects.AddItems(4);
        var options = new SyncOptions { AllMailFolders = true };
        await _harness.SyncAsync(new[] { alice.Address }, options);

        // Deleted between this run's hierarchy page and its item pages.
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && alice.Folders.Contains(projects))
            {
                alice.DeleteFolder(projects);
            }
        };
        alice.Inbox.AddItems(2);
        var run = await _harness.SyncAsync(new[] { alice.Address }, options);

        var result = run.For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 2, 2), (result.Status, result.Folders, result.ItemsAdded));
        Assert.DoesNotContain(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.FolderId == projects.Id);
        _harness.AssertStoreMatches(alice, alice.Inbox);
        Assert.Contains(run.Lines, l => l.Contains("folder 'Projects' no longer exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_item_read_fails_the_mailbox_and_keeps_its_state_before_the_page()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 25);
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 2)
            {
                throw Faults.ItemFailed("item 11");
            }
        };

        var failed = (await _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { Folders = new[] { "inbox" } })).For(alice.Address);
        var recorded = _harness.Store.GetRosterEntry(EngineHarness.Organization, alice.Address)!.LastErrorId;
        alice.BeforeCall = null;
        var rerun = (await _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { Folders = new[] { "inbox" } })).For(alice.Address);

        Assert.Equal((SyncStatus.Failed, "FakeItemFailed", 10), (failed.Status, failed.ErrorId, failed.ItemsAdded));
        Assert.Equal("FakeItemFailed", recorded);
        Assert.Equal((SyncStatus.Synced, 15), (rerun.Status, rerun.ItemsAdded));
        _harness.AssertStoreMatches(alice, alice.Inbox);
    }

    [Fact]
    public async Task Mime_export_writes_one_eml_per_item_with_the_message_as_content()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 12);

        var run = await _harness.SyncAsync(new[] { alice.Address },
            new SyncOptions { Folders = new[] { "inbox" }, IncludeMime = true, ContentPath = _harness.ContentPath });

        Assert.Equal(SyncStatus.Synced, run.For(alice.Address).Status);
        var files = Directory.GetFiles(Path.Combine(_harness.ContentPath, "alice@contoso.com"), "*", SearchOption.AllDirectories);
        Assert.Equal(12, files.Length);
        Assert.All(files, f => Assert.EndsWith(".eml", f, StringComparison.Ordinal));
        var contents = files.Select(File.ReadAllBytes).Select(b => System.Text.Encoding.UTF8.GetString(b)).ToHashSet();
        Assert.All(alice.Inbox.ItemIds, id => Assert.Contains(System.Text.Encoding.UTF8.GetString(FakeFolder.MimeOf(id)), contents));

        // Export-InboxItem's readable layout: <mailbox>/<folder display name>/<received subject hash>.eml.
        var inbox = Assert.Single(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address), f => f.Selected);
        var stored = _harness.Store.ReadItems(new ItemQuery(EngineHarness.Organization) { Mailbox = alice.Address }).ToList();
        Assert.Equal(12, stored.Count);
        Assert.All(stored, item => Assert.Equal(
            Path.Combine(_harness.ContentPath, "alice@contoso.com", PortableName.For(inbox.DisplayName), PortableName.ForMessage(item.Received, item.Subject, item.ItemId)),
            item.MimePath));
        Assert.Equal(files.Order(), stored.Select(i => i.MimePath!).Order());
    }

    [Fact]
    public async Task A_mime_export_that_cannot_write_fails_that_user_only_and_stores_nothing_of_the_page()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 5);
        var bob = _harness.Protocol.Add("bob@contoso.com", items: 5);

        // A file where alice's folder must go: the folder cannot be created, whoever runs the test (root included).
        Directory.CreateDirectory(_harness.ContentPath);
        File.WriteAllText(Path.Combine(_harness.ContentPath, "alice@contoso.com"), "in the way");
        var run = await _harness.SyncAsync(new[] { alice.Address, bob.Address },
            new SyncOptions { Folders = new[] { "inbox" }, IncludeMime = true, ContentPath = _harness.ContentPath });

        var failed = run.For(alice.Address);
        Assert.Equal((SyncStatus.Failed, "ContentPathWriteFailed", InboxErrorKind.WriteError), (failed.Status, failed.ErrorId, failed.GetError()!.Kind));
        Assert.Contains("-ContentPath", failed.RecommendedAction);
        Assert.Empty(_harness.StoredItemIds(alice.Address));
        Assert.Null(_harness.Store.GetFolders(EngineHarness.Organization, alice.Address).Single(f => f.WellKnownName == "inbox").SyncState);
        Assert.Equal((SyncStatus.Synced, 5), (run.For(bob.Address).Status, run.For(bob.Address).ItemsAdded));
    }
}
