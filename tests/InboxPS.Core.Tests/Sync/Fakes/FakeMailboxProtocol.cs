using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>
/// An in-memory <see cref="IMailboxProtocol"/> for engine unit tests: mailboxes that page, throttle, fail and change
/// under the engine, answering in microseconds. A mailbox it does not know fails with MailboxNotFound, as a server does.
/// </summary>
public sealed class FakeMailboxProtocol : IMailboxProtocol
{
    private readonly Dictionary<string, FakeMailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _opened = new();
    private int _firstPagesCalls;

    /// <summary>Addresses in the order the engine opened them (a parked mailbox appears twice).</summary>
    public IReadOnlyList<string> Opened
    {
        get
        {
            lock (_opened)
            {
                return _opened.ToArray();
            }
        }
    }

    /// <summary>Sessions read the first pages of several folders together (<see cref="IFirstPagesReader"/>), as EWS does.</summary>
    public bool FirstPagesTogether { get; set; }

    /// <summary>How many times the engine asked for several folders' pages together.</summary>
    public int FirstPagesCalls => Volatile.Read(ref _firstPagesCalls);

    public FakeMailbox Add(string address, int items = 0)
    {
        var mailbox = new FakeMailbox(address);
        mailbox.Inbox.AddItems(items);
        lock (_mailboxes)
        {
            _mailboxes.Add(address, mailbox);
        }

        return mailbox;
    }

    /// <summary>Another address of the same mailbox (a UPN, an alias, its new primary address).</summary>
    public void AddAddress(FakeMailbox mailbox, string address)
    {
        lock (_mailboxes)
        {
            _mailboxes.Add(address, mailbox);
        }
    }

    public IMailboxSession Open(MailboxTarget mailbox)
    {
        lock (_opened)
        {
            _opened.Add(mailbox.Address);
        }

        FakeMailbox? found;
        lock (_mailboxes)
        {
            _mailboxes.TryGetValue(mailbox.Address, out found);
        }

        if (found is null)
        {
            throw Faults.MailboxNotFound(mailbox.Address);
        }

        found.Enter(FakeCall.Open, CancellationToken.None).Dispose();
        if (FirstPagesTogether)
        {
            return new TogetherSession(this, found, mailbox);
        }

        return found.ListsChangesFirst ? new ListingSession(found, mailbox) : new Session(found, mailbox);
    }

    // Each folder's page is its own SyncItems call (items included, as the fake's pages always are); a folder refused
    // alone is left out, as the interface says.
    private sealed class TogetherSession : Session, IFirstPagesReader
    {
        private readonly FakeMailboxProtocol _protocol;

        public TogetherSession(FakeMailboxProtocol protocol, FakeMailbox mailbox, MailboxTarget target)
            : base(mailbox, target)
        {
            _protocol = protocol;
        }

        public async Task<IReadOnlyList<ItemPage?>> SyncFirstPagesAsync(IReadOnlyList<FolderStart> folders, bool includeMime, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _protocol._firstPagesCalls);
            var pages = new ItemPage?[folders.Count];
            for (var i = 0; i < pages.Length; i++)
            {
                try
                {
                    pages[i] = await SyncItemsAsync(folders[i].FolderId, folders[i].State, includeMime, cancellationToken);
                }
                catch (InboxException e) when (e.Fault is SyncFault.FolderNotFound or SyncFault.InvalidSyncState)
                {
                    pages[i] = null;
                }
            }

            return pages;
        }
    }

    // The page is taken when it is listed; reading it is a call of its own, which BeforeCall can hold up or fail.
    private sealed class ListingSession : Session, IItemChangeLister
    {
        public ListingSession(FakeMailbox mailbox, MailboxTarget target)
            : base(mailbox, target)
        {
        }

        public async Task<ListedItemPage> ListItemChangesAsync(string folderId, string? state, bool includeMime, Action<string, bool>? stateRead,
            CancellationToken cancellationToken)
        {
            var page = await SyncItemsAsync(folderId, state, includeMime, cancellationToken);

            // On a thread of its own (not the pool's), as a request is: a BeforeCall holding a read up holds up neither the
            // listing nor, when many tests run at once, the pool threads that store the pages before it.
            return new ListedItemPage(page.State, page.IsLast, token => Task.Factory.StartNew(() => CallAsync(FakeCall.ReadItems, token, () => page),
                token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }
    }

    private class Session : IMailboxSession, IItemReader
    {
        private readonly FakeMailbox _mailbox;
        private int _requests;
        private long _throttledTicks;

        public Session(FakeMailbox mailbox, MailboxTarget target)
        {
            _mailbox = mailbox;
            Mailbox = target;
        }

        public MailboxTarget Mailbox { get; }

        public int Requests => Volatile.Read(ref _requests);

        public TimeSpan ThrottledFor => TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));

        public Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken) =>
            CallAsync(FakeCall.GetFolder, cancellationToken, () =>
                _mailbox.Folders.FirstOrDefault(f => string.Equals(f.WellKnownName, wellKnownName, StringComparison.OrdinalIgnoreCase))?.ToMailFolder()
                ?? throw Faults.FolderNotFound(wellKnownName));

        public Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken) =>
            CallAsync(FakeCall.SyncFolders, cancellationToken, () => _mailbox.HierarchyPage(state));

        public Task<ItemPage> ReadItemsAsync(string folderId, IReadOnlyList<string> itemIds, bool includeMime, CancellationToken cancellationToken) =>
            CallAsync(FakeCall.ReadItems, cancellationToken, () =>
                (_mailbox.Folders.FirstOrDefault(f => f.Id == folderId) ?? throw Faults.FolderNotFound(folderId)).Read(itemIds, includeMime));

        public Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken) =>
            CallAsync(FakeCall.SyncItems, cancellationToken, () =>
                (_mailbox.Folders.FirstOrDefault(f => f.Id == folderId) ?? throw Faults.FolderNotFound(folderId))
                .Page(state, _mailbox.PageSize, includeMime));

        // Asynchronous like a real protocol, so overlapping calls for one mailbox would show.
        protected async Task<T> CallAsync<T>(FakeCall call, CancellationToken cancellationToken, Func<T> answer)
        {
            Interlocked.Increment(ref _requests);
            try
            {
                using (_mailbox.Enter(call, cancellationToken))
                {
                    await Task.Yield();
                    return answer();
                }
            }
            catch (InboxException e) when (e.Fault == SyncFault.Throttled)
            {
                // What a real protocol reports: the back-off it waited out before giving up.
                Interlocked.Add(ref _throttledTicks, TimeSpan.FromSeconds(5).Ticks);
                throw;
            }
        }
    }
}
