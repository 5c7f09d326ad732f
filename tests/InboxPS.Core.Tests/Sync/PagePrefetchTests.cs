using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>
/// Issue 15, big mailboxes: a folder's next pages are asked for while the last is read and stored, yet every page is
/// stored after the one before it with its own state, a failure comes out in its page's place, and a run killed while
/// pages are on their way resumes with exactly what the server holds.
/// </summary>
public sealed class PagePrefetchTests : IDisposable
{
    private static readonly SyncOptions InboxOnly = new() { Folders = new[] { "inbox" } };
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_page_whose_items_come_first_waits_for_the_page_before_it()
    {
        var session = new ScriptedSession(pages: 3);
        var pages = new ItemPagePrefetch(session, "inbox", null, false, default);

        var first = pages.NextAsync();

        // The next pages were listed while the first one's items are still being read.
        await session.Listed[2].Task.WaitAsync(Patience);
        session.Reads[2].SetResult(session.Page(2));
        session.Reads[1].SetResult(session.Page(1));
        await Task.Delay(50);
        Assert.False(first.IsCompleted);

        session.Reads[0].SetResult(session.Page(0));
        Assert.Equal("state-0", (await first).State);
        Assert.Equal("state-1", (await pages.NextAsync()).State);
        var last = await pages.NextAsync();
        Assert.Equal(("state-2", true), (last.State, last.IsLast));
        await pages.StopAsync();
    }

    [Fact]
    public async Task The_next_page_is_asked_for_as_soon_as_the_state_is_read_before_the_changes_are()
    {
        var changesRead = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var session = new ScriptedSession(pages: 3) { ChangesRead = changesRead };
        var pages = new ItemPagePrefetch(session, "inbox", null, false, default);

        var first = pages.NextAsync();

        // All three listed while the first one's changes are still being read.
        await session.Listed[2].Task.WaitAsync(Patience);
        Assert.False(changesRead[0].Task.IsCompleted);
        foreach (var (read, index) in changesRead.Select((read, index) => (read, index)))
        {
            read.SetResult();
            session.Reads[index].SetResult(session.Page(index));
        }

        Assert.Equal("state-0", (await first).State);
        Assert.Equal("state-1", (await pages.NextAsync()).State);
        Assert.True((await pages.NextAsync()).IsLast);
        await pages.StopAsync();
    }

    [Fact]
    public async Task A_page_that_ends_with_another_state_than_it_told_first_stops_the_folder_there_to_be_tried_again()
    {
        var changesRead = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var session = new ScriptedSession(pages: 3) { ChangesRead = changesRead, ChangesOnRetry = 1 };
        var pages = new ItemPagePrefetch(session, "inbox", null, false, default);
        foreach (var read in changesRead)
        {
            read.SetResult();
        }

        session.Reads[0].SetResult(session.Page(0));

        Assert.Equal("state-0", (await pages.NextAsync()).State);
        var error = await Assert.ThrowsAnyAsync<InboxException>(() => pages.NextAsync());
        Assert.Equal(("SyncPageChangedOnRetry", SyncFault.Unavailable), (error.ErrorId, error.Fault));
        Assert.Contains("alice@contoso.com", error.Message, StringComparison.Ordinal);
        await pages.StopAsync();
    }

    [Fact]
    public async Task A_failure_listing_a_later_page_comes_out_after_the_pages_before_it()
    {
        var session = new ScriptedSession(pages: 3) { FailListing = 1 };
        var pages = new ItemPagePrefetch(session, "inbox", null, false, default);
        session.Reads[0].SetResult(session.Page(0));

        Assert.Equal("state-0", (await pages.NextAsync()).State);
        var error = await Assert.ThrowsAnyAsync<InboxException>(() => pages.NextAsync());
        Assert.Equal(SyncFault.InvalidSyncState, error.Fault);
        await pages.StopAsync();
    }

    [Fact]
    public async Task Stopping_cancels_the_pages_on_their_way_and_returns_only_once_each_has_ended()
    {
        var session = new ScriptedSession(pages: 3);
        var pages = new ItemPagePrefetch(session, "inbox", null, false, default);
        session.Reads[0].SetException(Faults.Throttled("alice@contoso.com"));
        await session.Listed[2].Task.WaitAsync(Patience);

        await Assert.ThrowsAnyAsync<InboxException>(() => pages.NextAsync());
        await pages.StopAsync();

        // The reads still running were cancelled through their token and awaited, so no failure is left unobserved.
        Assert.All(session.ReadTasks, read => Assert.True(read.IsCompleted));
        Assert.True(session.ReadTasks[1].IsCanceled && session.ReadTasks[2].IsCanceled);
    }

    [Fact]
    public async Task A_folder_listed_ahead_of_its_reads_is_stored_whole_and_in_order()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 50);
        alice.ListsChangesFirst = true;
        using var listedAhead = new ManualResetEventSlim();

        // The first page's items are read only once the third page was listed.
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 3)
            {
                listedAhead.Set();
            }
            else if (call == FakeCall.ReadItems && count == 1)
            {
                Assert.True(listedAhead.Wait(Patience));
            }
        };

        var result = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);

        Assert.Equal((SyncStatus.Synced, 50), (result.Status, result.ItemsAdded));
        _harness.AssertStoreMatches(alice, alice.Inbox);

        // The state stored last is the last page's: a rerun brings nothing again.
        alice.BeforeCall = null;
        var rerun = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);
        Assert.Equal((0, 0), (rerun.ItemsAdded, rerun.ItemsUpdated));
    }

    [Fact]
    public async Task A_run_killed_while_pages_are_on_their_way_keeps_the_pages_before_and_a_rerun_resumes_after_them()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 50);
        alice.ListsChangesFirst = true;
        using var kill = new CancellationTokenSource();

        // Killed once the first page is stored, while the second page's items are being read and later pages listed.
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.ReadItems && count == 2)
            {
                Assert.True(SpinWait.SpinUntil(() => _harness.StoredItemIds(alice.Address).Count == 10, Patience));
                kill.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _harness.SyncAsync(new[] { alice.Address }, InboxOnly, kill.Token));
        Assert.Equal(10, _harness.StoredItemIds(alice.Address).Count);

        alice.BeforeCall = null;
        var rerun = (await _harness.SyncAsync(new[] { alice.Address }, InboxOnly)).For(alice.Address);
        Assert.Equal((SyncStatus.Synced, 40, 0), (rerun.Status, rerun.ItemsAdded, rerun.ItemsUpdated));
        _harness.AssertStoreMatches(alice, alice.Inbox);
    }

    [Fact]
    public async Task An_invalid_state_met_by_a_page_listed_ahead_restarts_the_folder_without_duplicates()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 30);
        alice.ListsChangesFirst = true;
        await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);

        alice.Inbox.AddItems(25);
        alice.Inbox.InvalidateSyncStates();
        var run = await _harness.SyncAsync(new[] { alice.Address }, InboxOnly);

        Assert.Equal((SyncStatus.Synced, 55), (run.For(alice.Address).Status, run.For(alice.Address).ItemsAdded));
        _harness.AssertStoreMatches(alice, alice.Inbox);
    }

    /// <summary>A session whose pages are listed at once and read when the test says, through their cancellation token.</summary>
    private sealed class ScriptedSession : IMailboxSession, IItemChangeLister
    {
        private readonly int _pages;

        public ScriptedSession(int pages)
        {
            _pages = pages;
            Listed = Enumerable.Range(0, pages).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            Reads = Enumerable.Range(0, pages).Select(_ => new TaskCompletionSource<ItemPage>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        }

        public TaskCompletionSource[] Listed { get; }

        public TaskCompletionSource<ItemPage>[] Reads { get; }

        public List<Task<ItemPage>> ReadTasks { get; } = new();

        public int? FailListing { get; init; }

        public MailboxTarget Mailbox { get; } = new("alice@contoso.com", MailboxAddressKind.SmtpAddress);

        public int Requests => 0;

        public TimeSpan ThrottledFor => TimeSpan.Zero;

        public ItemPage Page(int index) => new($"state-{index}", index == _pages - 1, Array.Empty<MailItem>(), Array.Empty<string>(), Array.Empty<ReadFlagChange>());

        /// <summary>Listings that tell their state first and end only when the test completes these (their changes read).</summary>
        public TaskCompletionSource[]? ChangesRead { get; init; }

        /// <summary>The listing of this page tells one state first and ends with another (its call retried, answered otherwise).</summary>
        public int? ChangesOnRetry { get; init; }

        public async Task<ListedItemPage> ListItemChangesAsync(string folderId, string? state, bool includeMime, Action<string, bool>? stateRead,
            CancellationToken cancellationToken)
        {
            await Task.Yield();
            var index = state is null ? 0 : int.Parse(state["state-".Length..], System.Globalization.CultureInfo.InvariantCulture) + 1;
            if (index == FailListing)
            {
                throw Faults.InvalidSyncState("the inbox");
            }

            Listed[index].SetResult();
            if (ChangesRead is not null)
            {
                stateRead?.Invoke($"state-{index}", index == _pages - 1);
                await ChangesRead[index].Task.WaitAsync(cancellationToken);
            }

            var ended = index == ChangesOnRetry ? $"state-{index}-retried" : $"state-{index}";
            return new ListedItemPage(ended, index == _pages - 1, token =>
            {
                var read = Reads[index];
                token.Register(() => read.TrySetCanceled(token));
                lock (ReadTasks)
                {
                    ReadTasks.Add(read.Task);
                }

                return read.Task;
            });
        }

        public Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The engine lists pages of a session that can.");

        public Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
