using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// One folder's item pages in the order of their states, the next ones already on their way: the next page is asked
/// for (its state comes with the page before, on EWS ahead of that page's changes) while the pages before it are read
/// and stored, with at most <see cref="UnstoredPages"/> pages asked for and not yet stored. A failure comes out in the
/// place of the page it hit, after every page before it; a page already received comes out even after a cancellation,
/// so it is stored and a rerun resumes after it. <see cref="StopAsync"/> cancels what is still on its way and waits for
/// it to end, observing how.
/// </summary>
internal sealed class ItemPagePrefetch
{
    // The page being stored and two more on their way: enough to keep one folder's listing calls back to back while
    // pages are read and stored; more would only hold more pages (MIME included) in memory.
    internal const int UnstoredPages = 3;

    private readonly IMailboxSession _session;
    private readonly string _folderId;
    private readonly bool _includeMime;
    private readonly CancellationToken _cancellationToken;
    private Run _run;

    public ItemPagePrefetch(IMailboxSession session, string folderId, string? state, bool includeMime, CancellationToken cancellationToken)
    {
        _session = session;
        _folderId = folderId;
        _includeMime = includeMime;
        _cancellationToken = cancellationToken;
        _run = new Run(this, state);
    }

    /// <summary>The next page; the page this returned before must be stored by then.</summary>
    public Task<ItemPage> NextAsync() => _run.NextAsync();

    /// <summary>Stops and asks for the pages again from <paramref name="state"/> (null: the folder from nothing).</summary>
    public async Task RestartAsync(string? state)
    {
        await _run.StopAsync().ConfigureAwait(false);
        _run = new Run(this, state);
    }

    /// <summary>Cancels the pages still on their way and waits for each to end; their failures are observed here.</summary>
    public Task StopAsync() => _run.StopAsync();

    private async Task<(string State, bool IsLast, Task<ItemPage> Page)> AskAsync(string? state, CancellationToken cancellationToken)
    {
        if (_session is IItemChangeLister lister)
        {
            // The next page needs only this one's state: where the protocol reads it before the changes (EWS), the next
            // page is asked for then, while this one's changes are still on their way. Synchronous continuations on
            // purpose: the next listing is sent from the reader of this one, not after a turn through the thread pool.
            var head = new TaskCompletionSource<(string State, bool IsLast)>();
            var listing = lister.ListItemChangesAsync(_folderId, state, _includeMime, (read, last) => head.TrySetResult((read, last)),
                cancellationToken);
            if (await Task.WhenAny(head.Task, listing).ConfigureAwait(false) == head.Task && !listing.IsCompleted)
            {
                var (early, isLast) = head.Task.Result;
                return (early, isLast, ReadWhenListedAsync(listing, early, isLast, cancellationToken));
            }

            var listed = await listing.ConfigureAwait(false);

            // Its items are read from now on, side by side with the next page's listing.
            return (listed.State, listed.IsLast, listed.ReadAsync(cancellationToken));
        }

        var page = await _session.SyncItemsAsync(_folderId, state, _includeMime, cancellationToken).ConfigureAwait(false);
        return (page.State, page.IsLast, Task.FromResult(page));
    }

    private async Task<ItemPage> ReadWhenListedAsync(Task<ListedItemPage> listing, string state, bool isLast, CancellationToken cancellationToken)
    {
        var listed = await listing.ConfigureAwait(false);
        if (!string.Equals(listed.State, state, StringComparison.Ordinal) || listed.IsLast != isLast)
        {
            // The call was retried after its state was read and the retry answered otherwise: the next page was asked for
            // from a state this page does not end with. Stop at this page; the folder resumes from the last one stored.
            throw new InboxException("SyncPageChangedOnRetry", InboxErrorKind.ResourceUnavailable,
                $"A page of a folder of mailbox '{_session.Mailbox.Address}' came back different when the server was asked for it again. " +
                "The pages stored before it are kept; the folder continues from them when the mailbox is tried again.",
                target: _session.Mailbox.Address, fault: SyncFault.Unavailable);
        }

        // Its items are read from now on, side by side with the next page's listing.
        return await listed.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pages from one starting state: a producer asking ahead, the pages it asked for in order.</summary>
    private sealed class Run
    {
        private readonly ItemPagePrefetch _owner;
        private readonly CancellationTokenSource _stop;
        private readonly SemaphoreSlim _room = new(UnstoredPages, UnstoredPages);
        private readonly Channel<Task<ItemPage>> _pages = Channel.CreateUnbounded<Task<ItemPage>>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private readonly Task _producer;
        private bool _handedOut;
        private bool _stopped;

        public Run(ItemPagePrefetch owner, string? state)
        {
            _owner = owner;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(owner._cancellationToken);
            _producer = ProduceAsync(state);
        }

        public async Task<ItemPage> NextAsync()
        {
            if (_handedOut)
            {
                _room.Release();
            }

            _handedOut = true;

            // Not cancellable: the producer always writes an entry (a page, or the failure that ended it) up to the last page.
            var page = await _pages.Reader.ReadAsync().ConfigureAwait(false);
            return await page.ConfigureAwait(false);
        }

        public async Task StopAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _stop.Cancel();
            await _producer.ConfigureAwait(false);
            while (_pages.Reader.TryRead(out var page))
            {
                try
                {
                    await page.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // A page nobody will store: how its reading ended no longer matters, only that it ended.
                }
            }

            _stop.Dispose();
            _room.Dispose();
        }

        // Never throws: a failure is written in the place of the page it hit, and the pages end there.
        private async Task ProduceAsync(string? state)
        {
            try
            {
                while (true)
                {
                    await _room.WaitAsync(_stop.Token).ConfigureAwait(false);
                    var (next, isLast, page) = await _owner.AskAsync(state, _stop.Token).ConfigureAwait(false);
                    _pages.Writer.TryWrite(page);
                    if (isLast)
                    {
                        return;
                    }

                    state = next;
                }
            }
            catch (Exception e)
            {
                _pages.Writer.TryWrite(Task.FromException<ItemPage>(e));
            }
            finally
            {
                _pages.Writer.TryComplete();
            }
        }
    }
}
