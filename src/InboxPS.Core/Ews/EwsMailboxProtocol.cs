using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Ews;

/// <summary>
/// Sync over EWS: SyncFolderHierarchy and SyncFolderItems for the changes, GetItem in batches for the properties the
/// store keeps (SyncFolderItems cannot return recipients); a run's first pages of several folders share their GetItem.
/// Each mailbox is impersonated by SMTP address or principal name and accounted in its own metrics.
/// </summary>
public sealed class EwsMailboxProtocol : IMailboxProtocol
{
    /// <summary>EWS's own ceiling for MaxChangesReturned: fewest round trips per folder.</summary>
    public const int MaxChangesPerPage = 512;

    // GetItem batches: large enough to amortise the round trip, small enough that a page of MIME stays a few MB.
    private const int ItemBatch = 128;
    private const int MimeItemBatch = 16;

    // GetItem batches of one page in flight at once: a 512-change page is read in about the time of one batch, and a
    // mailbox stays far below EWS's 27 concurrent calls with the next page's SyncFolderItems and another page's reads.
    private const int BatchesAtOnce = 4;

    private readonly EwsClient _client;
    private readonly int _pageSize;

    /// <param name="pageSize">MaxChangesReturned per SyncFolderItems call; smaller only to exercise paging.</param>
    public EwsMailboxProtocol(EwsClient client, int pageSize = MaxChangesPerPage)
    {
        if (pageSize is < 1 or > MaxChangesPerPage)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "EWS returns 1 to 512 changes per page.");
        }

        _client = client;
        _pageSize = pageSize;
    }

    /// <exception cref="InboxException">MailboxIdentityUnresolvable: the mailbox is named by its Entra object id only.</exception>
    public IMailboxSession Open(MailboxTarget mailbox) => mailbox.Kind == MailboxAddressKind.DirectoryObjectId
        ? throw new InboxException("MailboxIdentityUnresolvable", InboxErrorKind.InvalidArgument,
            $"'{mailbox}' is an Entra object id (Get-MgUser's Id); EWS impersonates a mailbox by its address, not by that id.",
            "Pass the user's Mail or UserPrincipalName (Get-MgUser -Property Id,Mail,UserPrincipalName), or move the organization to Microsoft Graph (Set-InboxAccessType -AccessType GraphAppOnly), which addresses users by id.",
            mailbox.Address)
        : new Session(_client, mailbox, _pageSize);

    private sealed class Session : IMailboxSession, IItemChangeLister, IItemReader, IMimeReader, IWellKnownFoldersReader, IFirstPagesReader
    {
        private readonly EwsClient _client;
        private readonly MailboxIdentity _identity;
        private readonly CallMetrics _metrics = new();
        private readonly int _pageSize;

        public Session(EwsClient client, MailboxTarget mailbox, int pageSize)
        {
            _client = client;
            _pageSize = pageSize;
            Mailbox = mailbox;
            _identity = new MailboxIdentity(mailbox.Address,
                mailbox.Kind == MailboxAddressKind.PrincipalName ? ConnectingSidKind.PrincipalName : ConnectingSidKind.SmtpAddress);
        }

        public MailboxTarget Mailbox { get; }

        public int Requests => _metrics.Requests;

        public TimeSpan ThrottledFor => _metrics.ThrottledFor;

        public async Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken)
        {
            var folder = await _client.GetFolderAsync(_identity, wellKnownName.ToLowerInvariant(), _metrics, cancellationToken).ConfigureAwait(false);
            return ToFolder(folder);
        }

        public async Task<IReadOnlyList<MailFolder>> GetWellKnownFoldersAsync(IReadOnlyList<string> wellKnownNames, CancellationToken cancellationToken)
        {
            var names = new string[wellKnownNames.Count];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = wellKnownNames[i].ToLowerInvariant();
            }

            var folders = await _client.GetFoldersAsync(_identity, names, _metrics, cancellationToken).ConfigureAwait(false);
            var read = new MailFolder[folders.Count];
            for (var i = 0; i < read.Length; i++)
            {
                read[i] = ToFolder(folders[i]);
            }

            return read;
        }

        public async Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken)
        {
            var page = await _client.SyncFolderHierarchyAsync(_identity, state, _metrics, cancellationToken).ConfigureAwait(false);
            var changes = new List<FolderChange>(page.Changes.Count);
            foreach (var change in page.Changes)
            {
                changes.Add(change.ChangeType == SyncChangeType.Delete || change.Folder is null
                    ? new FolderChange(MailChangeKind.Delete, change.FolderId, null)
                    : new FolderChange(MailChangeKind.Upsert, change.FolderId, ToFolder(change.Folder)));
            }

            return new FolderPage(page.SyncState, page.IncludesLastFolderInRange, changes);
        }

        public async Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken)
        {
            var listed = await ListItemChangesAsync(folderId, state, includeMime, null, cancellationToken).ConfigureAwait(false);
            return await listed.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        // SyncFolderItems alone: the page's state is known before GetItem reads its items, so the engine can ask for the
        // next page while this one's items are read.
        public async Task<ListedItemPage> ListItemChangesAsync(string folderId, string? state, bool includeMime, Action<string, bool>? stateRead,
            CancellationToken cancellationToken)
        {
            var changes = new SortedChanges(await _client.SyncFolderItemsAsync(_identity, folderId, state, _pageSize, _metrics, cancellationToken, stateRead)
                .ConfigureAwait(false));
            return new ListedItemPage(changes.State, changes.IsLast, async token =>
            {
                // An item deleted between the page and the read (MissingItemIds) comes back as a delete on a later page.
                var read = await ReadItemsAsync(changes.ToRead, includeMime, token).ConfigureAwait(false);
                return changes.ToPage(read.Upserts, read.Skipped);
            });
        }

        public async Task<IReadOnlyList<ItemPage?>> SyncFirstPagesAsync(IReadOnlyList<FolderStart> folders, bool includeMime,
            CancellationToken cancellationToken)
        {
            // One SyncFolderItems after another, as for a folder alone (a mailbox has 5 concurrent sync calls at most).
            var changes = new SortedChanges?[folders.Count];
            for (var i = 0; i < changes.Length; i++)
            {
                changes[i] = await ListChangesAsync(folders[i], cancellationToken).ConfigureAwait(false);
            }

            // One read (in batches of ItemBatch, as for one folder) for the new items of every folder; each item read
            // goes back to the page of the folder whose changes named it.
            var folderOf = new Dictionary<string, int>(StringComparer.Ordinal);
            var toRead = new List<string>();
            for (var i = 0; i < changes.Length; i++)
            {
                if (changes[i] is not { } folder)
                {
                    continue;
                }

                foreach (var id in folder.ToRead)
                {
                    folderOf[id] = i;
                    toRead.Add(id);
                }
            }

            var read = await ReadItemsAsync(toRead, includeMime, cancellationToken).ConfigureAwait(false);
            var upserts = new List<MailItem>[changes.Length];
            var skipped = new List<SkippedItem>[changes.Length];
            for (var i = 0; i < changes.Length; i++)
            {
                upserts[i] = new List<MailItem>();
                skipped[i] = new List<SkippedItem>();
            }

            foreach (var item in read.Upserts)
            {
                upserts[FolderOf(folderOf, item.Id)].Add(item);
            }

            foreach (var item in read.Skipped)
            {
                skipped[FolderOf(folderOf, item.ItemId)].Add(item);
            }

            var pages = new ItemPage?[changes.Length];
            for (var i = 0; i < pages.Length; i++)
            {
                pages[i] = changes[i]?.ToPage(upserts[i], skipped[i]);
            }

            return pages;
        }

        // A folder refused alone (state no longer valid, folder gone) is left out (null), not a failure of the others:
        // the engine syncs it by itself.
        private async Task<SortedChanges?> ListChangesAsync(FolderStart folder, CancellationToken cancellationToken)
        {
            try
            {
                return new SortedChanges(await _client.SyncFolderItemsAsync(_identity, folder.FolderId, folder.State, _pageSize, _metrics, cancellationToken).ConfigureAwait(false));
            }
            catch (InboxException e) when (e.Fault is SyncFault.FolderNotFound or SyncFault.InvalidSyncState)
            {
                return null;
            }
        }

        private int FolderOf(Dictionary<string, int> folderOf, string itemId) => folderOf.TryGetValue(itemId, out var index)
            ? index
            : throw new InboxException("EwsInvalidResponse", InboxErrorKind.InvalidData,
                "GetItem answered with an item id it was not asked for.", "Run the sync again; if it persists, report the server's version.", Mailbox.Address);

        public async Task<ItemPage> ReadItemsAsync(string folderId, IReadOnlyList<string> itemIds, bool includeMime, CancellationToken cancellationToken)
        {
            // Items skipped by an earlier run: one the server no longer has is gone for the store too.
            var read = await ReadItemsAsync(new List<string>(itemIds), includeMime, cancellationToken).ConfigureAwait(false);
            return new ItemPage(string.Empty, true, read.Upserts, read.Missing, Array.Empty<ReadFlagChange>(), read.Skipped);
        }

        public async Task<byte[]?> ReadMimeAsync(string folderId, string itemId, CancellationToken cancellationToken)
        {
            var read = await ReadItemsAsync(new List<string> { itemId }, includeMime: true, cancellationToken).ConfigureAwait(false);
            if (read.Skipped.Count > 0)
            {
                var skipped = read.Skipped[0];
                throw new InboxException(skipped.ErrorId, InboxErrorKind.InvalidData, skipped.Reason,
                    "The server could not hand this item over; see the reason, and export it again later.", Mailbox.Address);
            }

            return read.Upserts.Count > 0 ? read.Upserts[0].Mime : null;
        }

        private async Task<ItemsRead> ReadItemsAsync(List<string> ids, bool includeMime, CancellationToken cancellationToken)
        {
            var read = new ItemsRead();
            foreach (var found in await GetItemBatchesAsync(ids, includeMime ? MimeItemBatch : ItemBatch, includeMime, cancellationToken).ConfigureAwait(false))
            {
                // One bad item (ErrorItemCorrupt, ErrorMessageSizeExceeded, ...) never blocks its folder: it is skipped
                // with its reason, and the engine reads it again on a later run.
                foreach (var failure in found.FailedItems)
                {
                    read.Skipped.Add(new SkippedItem(failure.ItemId, failure.Error.ErrorId, failure.Error.Message));
                }

                read.Missing.AddRange(found.MissingItemIds);
                foreach (var item in found)
                {
                    read.Upserts.Add(ToItem(item));
                }
            }

            return read;
        }

        // The GetItem batches of one read, a few side by side, in the order of the ids. The first failure cancels the
        // batches still running and is thrown once every batch has ended, so none is left running or unobserved.
        private async Task<EwsItemBatch[]> GetItemBatchesAsync(List<string> ids, int batchSize, bool includeMime, CancellationToken cancellationToken)
        {
            var found = new EwsItemBatch[(ids.Count + batchSize - 1) / batchSize];
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Exception? firstFailure = null;
            var next = -1;
            async Task ReadBatchesAsync()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < found.Length)
                {
                    var start = index * batchSize;
                    try
                    {
                        found[index] = await _client.GetItemBatchAsync(_identity, ids.GetRange(start, Math.Min(batchSize, ids.Count - start)),
                            includeMime, _metrics, failed.Token).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref firstFailure, e, null);
                        failed.Cancel();
                        throw;
                    }
                }
            }

            var readers = new Task[Math.Min(found.Length, BatchesAtOnce)];
            for (var i = 0; i < readers.Length; i++)
            {
                readers[i] = ReadBatchesAsync();
            }

            try
            {
                await Task.WhenAll(readers).ConfigureAwait(false);
            }
            catch when (firstFailure is not null)
            {
                // The cause, not the cancellations it caused in the other batches.
                ExceptionDispatchInfo.Capture(firstFailure).Throw();
            }

            return found;
        }

        private sealed class ItemsRead
        {
            public List<MailItem> Upserts { get; } = new();
            public List<string> Missing { get; } = new();
            public List<SkippedItem> Skipped { get; } = new();
        }

        // One SyncFolderItems page sorted by what it asks of the session: the ids to read, deletes, read flags.
        private sealed class SortedChanges
        {
            private readonly ItemChangesPage _page;
            private readonly List<string> _deletes = new();
            private readonly List<ReadFlagChange> _readFlags = new();

            public SortedChanges(ItemChangesPage page)
            {
                _page = page;
                foreach (var change in page.Changes)
                {
                    switch (change.ChangeType)
                    {
                        case SyncChangeType.Create:
                        case SyncChangeType.Update:
                            ToRead.Add(change.ItemId);
                            break;
                        case SyncChangeType.Delete:
                            _deletes.Add(change.ItemId);
                            break;
                        case SyncChangeType.ReadFlagChange when change.IsRead is { } isRead:
                            _readFlags.Add(new ReadFlagChange(change.ItemId, isRead, change.ChangeKey));
                            break;
                    }
                }
            }

            /// <summary>New and changed items, whose properties only GetItem returns.</summary>
            public List<string> ToRead { get; } = new();

            public string State => _page.SyncState;

            public bool IsLast => _page.IncludesLastItemInRange;

            public ItemPage ToPage(IReadOnlyList<MailItem> upserts, IReadOnlyList<SkippedItem> skipped) =>
                new(_page.SyncState, _page.IncludesLastItemInRange, upserts, _deletes, _readFlags, skipped);
        }

        private static MailFolder ToFolder(EwsFolder folder) =>
            new(folder.FolderId, folder.ParentFolderId, folder.DisplayName, folder.FolderClass);

        private static MailItem ToItem(EwsItem item) => new(item.ItemId)
        {
            ChangeKey = item.ChangeKey,
            ItemClass = item.ItemClass,
            InternetMessageId = item.InternetMessageId,
            ConversationId = item.ConversationId,
            Subject = item.Subject,
            Sender = item.From?.ToString(),
            ToRecipients = Join(item.ToRecipients),
            CcRecipients = Join(item.CcRecipients),
            Sent = item.DateTimeSent,
            Received = item.DateTimeReceived,
            Size = item.Size,
            IsRead = item.IsRead,
            HasAttachments = item.HasAttachments,
            Mime = item.MimeContent,
        };

        private static string? Join(IReadOnlyList<EmailAddress> addresses)
        {
            if (addresses.Count == 0)
            {
                return null;
            }

            var builder = new StringBuilder();
            foreach (var address in addresses)
            {
                if (builder.Length > 0)
                {
                    builder.Append("; ");
                }

                builder.Append(address);
            }

            return builder.ToString();
        }
    }
}
