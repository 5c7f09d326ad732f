using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Graph;

/// <summary>
/// Sync over Microsoft Graph, app-only: mailFolders/delta for the folder tree, one messages/delta round per folder for
/// its items, $value for MIME. A folder's stored sync state is the nextLink or deltaLink to continue from. Each mailbox
/// (SMTP address, UPN or Entra object id, all valid in /users/{id}) is accounted in its own metrics; its folders are
/// synced side by side up to Graph's per-mailbox limit. A changed message that carries only some properties travels to
/// the store as a partial item (no extra request); the engine reads one whole only when the store does not have it yet.
/// </summary>
public sealed class GraphMailboxProtocol : IMailboxProtocol
{
    private readonly GraphClient _client;

    public GraphMailboxProtocol(GraphClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    public IMailboxSession Open(MailboxTarget mailbox) => new Session(_client, mailbox ?? throw new ArgumentNullException(nameof(mailbox)));

    private sealed class Session : IMailboxSession, IItemChangeLister, IItemReader, IMimeReader, IConcurrentFolders
    {
        private readonly GraphClient _client;
        private readonly CallMetrics _metrics = new();

        public Session(GraphClient client, MailboxTarget mailbox)
        {
            _client = client;
            Mailbox = mailbox;
        }

        public MailboxTarget Mailbox { get; }

        public int Requests => _metrics.Requests;

        public TimeSpan ThrottledFor => _metrics.ThrottledFor;

        // One request at a time per folder, so this many folders fill the mailbox's limit (which the transport enforces).
        public int FolderParallelism => _client.Options.MaxRequestsPerMailbox;

        private string User => Mailbox.Address;

        // Graph's well-known folder names are EWS's distinguished names (inbox, sentitems, msgfolderroot...).
        public Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken) =>
            _client.GetMailFolderAsync(User, wellKnownName.ToLowerInvariant(), _metrics, cancellationToken);

        public async Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken)
        {
            var page = await _client.GetMailFolderChangesAsync(User, state, _metrics, cancellationToken).ConfigureAwait(false);

            // Replays: the last word on a folder within the page is the one that counts.
            var latest = new Dictionary<string, MailFolder?>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var entry in page.Entries)
            {
                if (!latest.ContainsKey(entry.Id))
                {
                    order.Add(entry.Id);
                }

                latest[entry.Id] = entry.Value;
            }

            var changes = new List<Sync.FolderChange>(order.Count);
            foreach (var id in order)
            {
                if (latest[id] is not { } folder)
                {
                    changes.Add(new Sync.FolderChange(MailChangeKind.Delete, id, null));
                }
                else if (await CompleteAsync(folder, cancellationToken).ConfigureAwait(false) is { } complete)
                {
                    changes.Add(new Sync.FolderChange(MailChangeKind.Upsert, id, complete));
                }
            }

            return new FolderPage(page.Link, page.IsLast, changes);
        }

        // An updated folder may carry only what changed; a folder always has a name and a parent, so a missing one is
        // read whole rather than stored as null. One deleted meanwhile is skipped: the next round reports it as removed.
        private async Task<MailFolder?> CompleteAsync(MailFolder folder, CancellationToken cancellationToken)
        {
            if (folder.DisplayName is not null && folder.ParentId is not null)
            {
                return folder;
            }

            try
            {
                return await _client.GetMailFolderAsync(User, folder.Id, _metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.ErrorId == GraphErrorIds.FolderNotFound)
            {
                return null;
            }
        }

        public async Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken)
        {
            var listed = await ListItemChangesAsync(folderId, state, includeMime, null, cancellationToken).ConfigureAwait(false);
            return await listed.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        // A delta page carries its messages; only their MIME is read after it. Its link comes at the start of the answer,
        // so the engine asks for the next page while this one's entries are still arriving and its MIME is read.
        public async Task<ListedItemPage> ListItemChangesAsync(string folderId, string? state, bool includeMime, Action<string, bool>? stateRead,
            CancellationToken cancellationToken)
        {
            var page = await _client.GetMessageChangesAsync(User, folderId, state, _metrics, cancellationToken, stateRead,
                includeMime ? _client.Options.MimePageSize : null).ConfigureAwait(false);
            var changes = new ItemChanges();
            foreach (var entry in page.Entries)
            {
                changes.Add(entry);
            }

            return new ListedItemPage(page.Link, page.IsLast, async token =>
            {
                var upserts = changes.Upserts;
                await AddMimeAsync(upserts, includeMime, token).ConfigureAwait(false);
                return new ItemPage(page.Link, page.IsLast, upserts, changes.Deletes, changes.ReadFlags);
            });
        }

        /// <summary>Each message whole: one deleted meanwhile is a delete, one Graph cannot hand over is skipped.</summary>
        public async Task<ItemPage> ReadItemsAsync(string folderId, IReadOnlyList<string> itemIds, bool includeMime, CancellationToken cancellationToken)
        {
            var upserts = new List<MailItem>(itemIds.Count);
            var gone = new List<string>();
            var skipped = new List<SkippedItem>();
            foreach (var id in itemIds)
            {
                try
                {
                    upserts.Add(await _client.GetMessageAsync(User, id, _metrics, cancellationToken).ConfigureAwait(false));
                }
                catch (GraphException e) when (e.ErrorId == GraphErrorIds.ItemNotFound)
                {
                    gone.Add(id);
                }
                catch (GraphException e) when (e.Fault == SyncFault.ItemFailed)
                {
                    skipped.Add(new SkippedItem(id, e.ErrorId, e.Message));
                }
            }

            await AddMimeAsync(upserts, includeMime, cancellationToken).ConfigureAwait(false);
            return new ItemPage(string.Empty, true, upserts, gone, Array.Empty<ReadFlagChange>(), skipped);
        }

        private async Task AddMimeAsync(List<MailItem> items, bool includeMime, CancellationToken cancellationToken)
        {
            if (!includeMime)
            {
                return;
            }

            if (_client.Options.UseJsonBatching && items.Count > 1)
            {
                var mime = await _client.GetMimeBatchAsync(User, items.ConvertAll(item => item.Id), _metrics, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < items.Count; i++)
                {
                    items[i].Mime = mime[i];
                }

                return;
            }

            foreach (var item in items)
            {
                item.Mime = await MimeAsync(item.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task<byte[]?> ReadMimeAsync(string folderId, string itemId, CancellationToken cancellationToken) =>
            MimeAsync(itemId, cancellationToken);

        private async Task<byte[]?> MimeAsync(string id, CancellationToken cancellationToken)
        {
            try
            {
                return await _client.GetMimeAsync(User, id, _metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.ErrorId == GraphErrorIds.ItemNotFound)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// One page's entries folded into the engine's shape, each id in exactly one list, the last entry for an id winning
    /// (Graph replays entries within and across pages); a partial entry after another upsert of the same message in the
    /// page adds what it carries to it. An entry that carries nothing but the read flag is a <see cref="ReadFlagChange"/>;
    /// any other partial one a partial upsert.
    /// </summary>
    private sealed class ItemChanges
    {
        private const MailItemProperties ReadFlag = MailItemProperties.IsRead | MailItemProperties.ChangeKey;

        private readonly Dictionary<string, Change> _latest = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();

        public List<MailItem> Upserts => _order.FindAll(id => _latest[id].Item is not null).ConvertAll(id => _latest[id].Item!);

        public List<string> Deletes => _order.FindAll(id => _latest[id] is { Item: null, ReadFlag: null });

        public List<ReadFlagChange> ReadFlags => _order.FindAll(id => _latest[id].ReadFlag is not null).ConvertAll(id => _latest[id].ReadFlag!);

        public void Add(GraphDeltaEntry<MailItem> entry)
        {
            _latest.TryGetValue(entry.Id, out var known);
            if (entry.Value is not { } item)
            {
                Set(entry.Id, new Change());
            }
            else if (!item.IsPartial)
            {
                Set(entry.Id, new Change { Item = item });
            }
            else if (known?.Item is { } earlier)
            {
                // A later, partial entry for a message this page already has: it says what changed since.
                earlier.Merge(item);
            }
            else if (item.Carries(MailItemProperties.IsRead) && (item.Properties & ~ReadFlag) == 0 && (known is null || known.ReadFlag is not null))
            {
                Set(entry.Id, new Change { ReadFlag = new ReadFlagChange(entry.Id, item.IsRead!.Value, item.ChangeKey) });
            }
            else
            {
                if (known?.ReadFlag is { } flag)
                {
                    // After a read-flag entry: the partial item carries that change too, unless it brings a newer one.
                    var before = new MailItem(entry.Id)
                    {
                        IsRead = flag.IsRead, ChangeKey = flag.ChangeKey,
                        Properties = flag.ChangeKey is null ? MailItemProperties.IsRead : ReadFlag,
                    };
                    before.Merge(item);
                    item = before;
                }

                Set(entry.Id, new Change { Item = item });
            }
        }

        private void Set(string id, Change change)
        {
            if (!_latest.ContainsKey(id))
            {
                _order.Add(id);
            }

            _latest[id] = change;
        }

        /// <summary>A delete when it holds neither an item nor a read flag.</summary>
        private sealed class Change
        {
            public MailItem? Item { get; set; }
            public ReadFlagChange? ReadFlag { get; set; }
        }
    }
}
