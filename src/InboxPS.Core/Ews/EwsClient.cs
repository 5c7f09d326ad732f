using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Ews.Protocol;
using InboxPS.Core.Ews.Transport;

namespace InboxPS.Core.Ews;

/// <summary>
/// The EWS operations sync needs, for any number of impersonated mailboxes over one endpoint. Thread-safe: one client
/// serves all workers of an organization, over one pool of reused connections. Every call retries transient faults
/// (honouring the server's back-off, per <see cref="EwsClientOptions.Retry"/>), is cancellable, and fails with an
/// <see cref="EwsException"/>; cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class EwsClient : IDisposable
{
    private static readonly Lazy<HttpMessageHandler> s_sharedHandler = new(() => HttpStack.CreateServiceHandler(ProxySettings.System),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly EwsTransport _transport;

    /// <param name="handler">Null in production: every client then shares one handler and its connection pool. Tests
    /// pass their own (for a test certificate, or canned responses); the caller keeps ownership of it.</param>
    /// <exception cref="EwsException">The authenticator refuses the endpoint (credentials over plain http).</exception>
    public EwsClient(EwsClientOptions options, IEwsAuthenticator authenticator, HttpMessageHandler? handler = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (authenticator is null)
        {
            throw new ArgumentNullException(nameof(authenticator));
        }

        authenticator.Validate(options.EwsUrl);
        _transport = new EwsTransport(options, authenticator, handler ?? s_sharedHandler.Value);
    }

    public EwsClientOptions Options { get; }

    /// <summary>What the server said it runs (ServerVersionInfo) in the latest response that said so; null before any.</summary>
    public EwsServerVersion? ServerVersion => _transport.ServerVersion;

    internal EwsTransport Transport => _transport;

    /// <summary>
    /// Reads one folder. With a distinguished folder ("inbox") this is the cheapest proof that the mailbox exists and the
    /// service account may impersonate it.
    /// </summary>
    /// <param name="distinguishedFolderId">A distinguished folder name (inbox, sentitems, msgfolderroot...) or an EWS FolderId.</param>
    public async Task<EwsFolder> GetFolderAsync(MailboxIdentity mailbox, string distinguishedFolderId, CallMetrics? metrics,
        CancellationToken cancellationToken) =>
        (await GetFoldersAsync(mailbox, new[] { distinguishedFolderId }, metrics, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Reads several folders in one request, in the order asked; a folder that cannot be read fails the call.</summary>
    /// <param name="folders">Distinguished folder names or EWS FolderIds.</param>
    public Task<IReadOnlyList<EwsFolder>> GetFoldersAsync(MailboxIdentity mailbox, IReadOnlyList<string> folders, CallMetrics? metrics,
        CancellationToken cancellationToken)
    {
        if (folders is null || folders.Count == 0)
        {
            throw new ArgumentException("At least one folder is needed.", nameof(folders));
        }

        var references = new string[folders.Count];
        for (var i = 0; i < references.Length; i++)
        {
            references[i] = FolderReference.Require(folders[i], nameof(folders));
        }

        return _transport.SendAsync(new GetFoldersOperation(references), Require(mailbox), metrics, cancellationToken);
    }

    /// <summary>
    /// One page of changes to the mailbox's folder tree under msgfolderroot (Top of Information Store). Start with a null
    /// state; store each page's SyncState with its changes and call again until IncludesLastFolderInRange.
    /// </summary>
    /// <exception cref="EwsException">EwsInvalidSyncState: start again with a null state.</exception>
    public Task<FolderChangesPage> SyncFolderHierarchyAsync(MailboxIdentity mailbox, string? syncState, CallMetrics? metrics,
        CancellationToken cancellationToken) =>
        _transport.SendAsync(new SyncFolderHierarchyOperation(syncState), Require(mailbox), metrics, cancellationToken);

    /// <summary>
    /// One page of item changes in a folder (ids, change keys and read flags). Start with a null state; store each page's
    /// SyncState with its changes and call again until IncludesLastItemInRange.
    /// </summary>
    /// <param name="folderId">An EWS FolderId, or a distinguished folder name such as inbox or sentitems. Names are
    /// recognised from the schema's list of distinguished folders; FolderIds (long base64 strings) never collide with it.</param>
    /// <param name="maxChangesReturned">1 to 512.</param>
    /// <exception cref="EwsException">EwsInvalidSyncState: restart the folder with a null state. EwsSyncFolderNotFound:
    /// the folder is gone; re-sync the hierarchy.</exception>
    public Task<ItemChangesPage> SyncFolderItemsAsync(MailboxIdentity mailbox, string folderId, string? syncState,
        int maxChangesReturned, CallMetrics? metrics, CancellationToken cancellationToken, Action<string, bool>? stateRead = null)
    {
        if (maxChangesReturned < 1 || maxChangesReturned > SyncFolderItemsOperation.MaxChangesLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChangesReturned), maxChangesReturned, "EWS returns 1 to 512 changes per page.");
        }

        return _transport.SendAsync(new SyncFolderItemsOperation(FolderReference.Require(folderId, nameof(folderId)), syncState,
            maxChangesReturned, stateRead), Require(mailbox), metrics, cancellationToken);
    }

    /// <summary>
    /// Reads the stored properties (and optionally the MIME content) of a batch of items. The list returned is an
    /// <see cref="EwsItemBatch"/>: items deleted since the sync page named them are in its MissingItemIds, not an error.
    /// Microsoft suggests small batches (10 to 100 ids); with MIME content, keep the whole answer under MaxResponseBytes.
    /// </summary>
    public async Task<IReadOnlyList<EwsItem>> GetItemsAsync(MailboxIdentity mailbox, IReadOnlyList<string> itemIds,
        bool includeMimeContent, CallMetrics? metrics, CancellationToken cancellationToken) =>
        await GetItemBatchAsync(mailbox, itemIds, includeMimeContent, metrics, cancellationToken).ConfigureAwait(false);

    /// <summary><see cref="GetItemsAsync"/> with the missing and failed ids in the result's type.</summary>
    public Task<EwsItemBatch> GetItemBatchAsync(MailboxIdentity mailbox, IReadOnlyList<string> itemIds, bool includeMimeContent,
        CallMetrics? metrics, CancellationToken cancellationToken)
    {
        if (itemIds is null)
        {
            throw new ArgumentNullException(nameof(itemIds));
        }

        foreach (var id in itemIds)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new ArgumentException("An item id is empty.", nameof(itemIds));
            }
        }

        return itemIds.Count == 0
            ? Task.FromResult(new EwsItemBatch(new EwsItem[0], new string[0], new EwsItemFailure[0]))
            : _transport.SendAsync(new GetItemOperation(itemIds, includeMimeContent), Require(mailbox), metrics, cancellationToken);
    }

    public void Dispose() => _transport.Dispose();

    private static MailboxIdentity Require(MailboxIdentity mailbox) => mailbox ?? throw new ArgumentNullException(nameof(mailbox));
}
