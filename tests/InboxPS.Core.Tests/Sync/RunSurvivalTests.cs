using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: one user's trouble fails that user only; a store that cannot be written stops the run once.</summary>
public sealed class RunSurvivalTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_unexpected_exception_in_one_mailbox_fails_that_user_and_every_other_user_still_gets_a_result()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        var users = Enumerable.Range(0, 5).Select(i => _harness.Protocol.Add($"user{i}@contoso.com", items: 2)).ToArray();
        alice.BeforeCall = (call, _) =>
        {
            if (call == FakeCall.SyncItems)
            {
                throw new UnauthorizedAccessException("Access to the path '/content/alice' is denied.");
            }
        };

        var run = await _harness.SyncAsync(new[] { alice.Address }.Concat(users.Select(u => u.Address)), new SyncOptions { ThrottleLimit = 2 });

        Assert.Equal(6, run.Synced.Count);
        var failed = run.For(alice.Address);
        Assert.Equal((SyncStatus.Failed, "MailboxSyncFailed"), (failed.Status, failed.ErrorId));
        Assert.Contains("Access to the path", failed.Message);
        Assert.IsType<UnauthorizedAccessException>(failed.GetError()!.InnerException);
        Assert.Equal(RosterStatus.Failed, _harness.Store.GetRosterEntry(EngineHarness.Organization, alice.Address)!.Status);
        Assert.All(users, u => Assert.Equal(SyncStatus.Synced, run.For(u.Address).Status));
    }

    [Fact]
    public async Task A_user_removed_with_their_data_while_being_synced_fails_alone_and_the_users_after_them_sync()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 30);
        var bob = _harness.Protocol.Add("bob@contoso.com", items: 3);
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 2)
            {
                _harness.Store.Deactivate(EngineHarness.Organization, alice.Address, removeData: true);
            }
        };

        var run = await _harness.SyncAsync(new[] { alice.Address, bob.Address }, new SyncOptions { ThrottleLimit = 1 });

        Assert.Equal(2, run.Synced.Count);
        Assert.Equal((SyncStatus.Failed, "MailboxRemovedDuringSync"), (run.For(alice.Address).Status, run.For(alice.Address).ErrorId));
        Assert.Equal(SyncStatus.Synced, run.For(bob.Address).Status);
        Assert.Empty(_harness.StoredItemIds(alice.Address));
    }

    [Fact]
    public async Task A_store_that_cannot_be_written_stops_the_run_once_with_one_clear_error()
    {
        var users = Enumerable.Range(0, 6).Select(i => _harness.Protocol.Add($"user{i}@contoso.com", items: 2)).ToArray();
        var store = new FailingStore(_harness.Store);
        var sink = new RecordingSink();
        var channel = System.Threading.Channels.Channel.CreateUnbounded<MailboxInput>();
        foreach (var user in users)
        {
            channel.Writer.TryWrite(new MailboxInput { Text = user.Address });
        }

        channel.Writer.Complete();
        var options = new SyncOptions { ThrottleLimit = 2 };
        var engine = new SyncEngine(new MailboxSynchronizer(EngineHarness.Organization, store, _harness.Protocol, options, sink), options, sink);

        var error = await Assert.ThrowsAsync<StoreException>(() => engine.RunAsync(channel.Reader, CancellationToken.None));

        Assert.Equal(("StoreFull", SyncFault.StoreFailed), (error.ErrorId, error.Fault));
        Assert.True(store.Writes <= 3, $"{store.Writes} writes were tried after the store failed");
        Assert.DoesNotContain(sink.Synced, r => r.ErrorId == "StoreFull");
    }

    [Fact]
    public void A_full_disk_is_a_store_failure_that_stops_the_run()
    {
        using var connection = _harness.Store.OpenConnection();
        using (var limit = connection.CreateCommand())
        {
            limit.CommandText = "PRAGMA max_page_count = 1";
            limit.ExecuteNonQuery();
        }

        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE filler (x BLOB); INSERT INTO filler VALUES (zeroblob(100000));";
        var sqlite = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
        var error = SqliteInboxStore.Explain(sqlite, _harness.Store.Location);

        Assert.Equal(("StoreFull", SyncFault.StoreFailed), (error.ErrorId, error.Fault));
    }

    /// <summary>The real store whose writes fail as a full disk does, counting the writes tried.</summary>
    private sealed class FailingStore : ISyncStore
    {
        private readonly ISyncStore _inner;
        private int _writes;

        public FailingStore(ISyncStore inner) => _inner = inner;

        public int Writes => Volatile.Read(ref _writes);

        public RosterEntry? GetRosterEntry(string organization, string mailbox) => _inner.GetRosterEntry(organization, mailbox);
        public IEnumerable<RosterEntry> GetRoster(string? organization, bool activeOnly) => _inner.GetRoster(organization, activeOnly);
        public RosterEntry? FindMailbox(string organization, string mailboxId) => _inner.FindMailbox(organization, mailboxId);
        public bool Activate(string organization, MailboxTarget mailbox, FolderChoice? folders = null) => Fail<bool>();
        public void RecordSuccess(string organization, string mailbox) => Fail<bool>();
        public void RecordFailure(string organization, string mailbox, string errorId, string message, string? recommendedAction) => Fail<bool>();
        public bool Deactivate(string organization, string mailbox, bool removeData) => Fail<bool>();
        public string? GetHierarchyState(string organization, string mailbox) => _inner.GetHierarchyState(organization, mailbox);
        public void ApplyFolderPage(string organization, string mailbox, FolderPage page) => Fail<bool>();
        public IReadOnlyList<StoredFolder> GetFolders(string organization, string mailbox) => _inner.GetFolders(organization, mailbox);
        public void ForgetFolders(string organization, string mailbox, IReadOnlyCollection<string> folderIds) => Fail<bool>();
        public void SelectFolder(string organization, string mailbox, MailFolder folder, string? wellKnownName) => Fail<bool>();
        public ItemPageOutcome ApplyItemPage(string organization, string mailbox, string folderId, ItemPage page, IReadOnlyDictionary<string, string>? mimePaths) => Fail<ItemPageOutcome>();
        public IReadOnlyList<SkippedItem> GetSkippedItems(string organization, string mailbox, string folderId) => _inner.GetSkippedItems(organization, mailbox, folderId);
        public void ResetFolder(string organization, string mailbox, string folderId) => Fail<bool>();
        public void DeselectFolder(string organization, string mailbox, string folderId) => Fail<bool>();
        public int CountItemsToRebaseline(string organization, string mailbox) => _inner.CountItemsToRebaseline(organization, mailbox);
        public int FinishRebaseline(string organization, string mailbox) => Fail<int>();
        public (int Folders, int Items) CountStored(string organization, string mailbox) => _inner.CountStored(organization, mailbox);

        private T Fail<T>()
        {
            Interlocked.Increment(ref _writes);
            throw new StoreException("StoreFull", InboxErrorKind.WriteError, "/store/inboxps.db", "The disk is full.", "Free some space.",
                fault: SyncFault.StoreFailed);
        }
    }
}
