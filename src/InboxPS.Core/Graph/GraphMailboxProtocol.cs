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
/// synced side by side up to Graph's per-mailbox limit.
/// </summary>
public sealed class GraphMailboxProtocol : IMailboxProtocol
{
    private readonly GraphClient _client;
    private readonly Func<MailItem, IReadOnlyCollection<string>, bool>? _markPartial;

    /// <param name="markPartial">
    /// How a partial upsert (an update carrying only some of <see cref="GraphClient.MessageProperties"/>) reaches the
    /// engine. Null (today): it is read whole with one GET, since the engine's MailItem cannot yet say "these nulls mean
    /// unchanged". Once it can, pass an adapter that marks the item partial (given the Graph names of the missing
    /// properties) and returns true: the page then carries it as is, without the extra request.
    /// </param>
    public GraphMailboxProtocol(GraphClient client, Func<MailItem, IReadOnlyCollection<string>, bool>? markPartial = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _markPartial = markPartial;
    }

    public IMailboxSession Open(MailboxTarget mailbox) =>
        new Session(_client, mailbox ?? throw new ArgumentNullException(nameof(mailbox)), _markPartial);

    private sealed class Session : IMailboxSession, IMimeReader, IConcurrentFolders
    {
        private readonly GraphClient _client;
        private readonly CallMetrics _metrics = new();
        private readonly Func<MailItem, IReadOnlyCollection<string>, bool>? _markPartial;

        public Session(GraphClient client, MailboxTarget mailbox, Func<MailItem, IReadOnlyCollection<string>, bool>? markPartial)
        {
            _client = client;
            Mailbox = mailbox;
            _markPartial = markPartial;
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
            var page = await _client.GetMessageChangesAsync(User, folderId, state, _metrics, cancellationToken).ConfigureAwait(false);
            var changes = new ItemChanges(_markPartial);
            foreach (var entry in page.Entries)
            {
                changes.Add(entry);
            }

            foreach (var id in changes.ToFetch)
            {
                if (await FetchAsync(id, cancellationToken).ConfigureAwait(false) is { } message)
                {
                    changes.AddFetched(message.Item);
                }
                else
                {
                    changes.Vanished(id);
                }
            }

            var upserts = changes.Upserts;
            if (includeMime)
            {
                foreach (var item in upserts)
                {
                    item.Mime = await MimeAsync(item.Id, cancellationToken).ConfigureAwait(false);
                }
            }

            return new ItemPage(page.Link, page.IsLast, upserts, changes.Deletes, changes.ReadFlags);
        }

        // A message deleted between the delta page and this call is skipped: the next round reports it as removed.
        private async Task<GraphMessage?> FetchAsync(string id, CancellationToken cancellationToken)
        {
            try
            {
                return await _client.GetMessageAsync(User, id, _metrics, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException e) when (e.ErrorId == GraphErrorIds.ItemNotFound)
            {
                return null;
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
    /// (Graph replays entries within and across pages). Entries that carry only some of the selected properties never
    /// become upserts with nulls: a read-flag-only entry is a <see cref="ReadFlagChange"/>, any other is fetched whole.
    /// </summary>
    private sealed class ItemChanges
    {
        private readonly Dictionary<string, Change> _latest = new(StringComparer.Ordinal);
        private readonly List<string> _order = new();
        private readonly Func<MailItem, IReadOnlyCollection<string>, bool>? _markPartial;

        public ItemChanges(Func<MailItem, IReadOnlyCollection<string>, bool>? markPartial) => _markPartial = markPartial;

        private enum Kind
        {
            Upsert,
            Delete,
            ReadFlag,
            Fetch,
        }

        public List<string> ToFetch => Ids(Kind.Fetch);

        public List<MailItem> Upserts => Ids(Kind.Upsert).ConvertAll(id => _latest[id].Item!);

        public List<string> Deletes => Ids(Kind.Delete);

        public List<ReadFlagChange> ReadFlags => Ids(Kind.ReadFlag).ConvertAll(id => _latest[id].ReadFlag!);

        public void Add(GraphDeltaEntry<GraphMessage> entry)
        {
            _latest.TryGetValue(entry.Id, out var known);
            if (entry.Value is not { } message)
            {
                Set(entry.Id, new Change(Kind.Delete));
            }
            else if (message.IsComplete)
            {
                AddFetched(message.Item);
            }
            else if (known is { Kind: Kind.Upsert, IsPartial: false })
            {
                // A later, partial entry for a message this page already has: it says what changed since.
                message.CopyPresentPropertiesTo(known.Item!);
            }
            else if (message.IsReadFlagOnly && (known is null || known.Kind == Kind.ReadFlag))
            {
                Set(entry.Id, new Change(Kind.ReadFlag) { ReadFlag = new ReadFlagChange(entry.Id, message.Item.IsRead!.Value, message.Item.ChangeKey) });
            }
            else if (known is null && _markPartial?.Invoke(message.Item, message.MissingProperties) == true)
            {
                Set(entry.Id, new Change(Kind.Upsert) { Item = message.Item, IsPartial = true });
            }
            else if (known?.Kind != Kind.Fetch)
            {
                // Partial, and the engine cannot take it as such, or it follows another entry it cannot simply add to: read it whole.
                Set(entry.Id, new Change(Kind.Fetch));
            }
        }

        public void AddFetched(MailItem item) => Set(item.Id, new Change(Kind.Upsert) { Item = item });

        /// <summary>A fetched item that no longer exists: nothing to store; the next round reports it as removed.</summary>
        public void Vanished(string id) => _latest.Remove(id);

        private void Set(string id, Change change)
        {
            if (!_latest.ContainsKey(id))
            {
                _order.Add(id);
            }

            _latest[id] = change;
        }

        private List<string> Ids(Kind kind) => _order.FindAll(id => _latest.TryGetValue(id, out var change) && change.Kind == kind);

        private sealed class Change
        {
            public Change(Kind kind) => Kind = kind;

            public Kind Kind { get; }
            public MailItem? Item { get; set; }
            public ReadFlagChange? ReadFlag { get; set; }

            /// <summary>An upsert the markPartial adapter took as partial: later entries are not merged into it.</summary>
            public bool IsPartial { get; set; }
        }
    }
}
