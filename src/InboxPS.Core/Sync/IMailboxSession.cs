using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// One mailbox, impersonated. Methods throw <see cref="InboxException"/> with a stable ErrorId and the
/// <see cref="SyncFault"/> the engine reacts to (InvalidSyncState restarts a folder, OrganizationSignIn stops the run,
/// Throttled and Unavailable park the mailbox); transient faults have already been retried (honouring the server's
/// back-off) by the time one escapes.
/// </summary>
public interface IMailboxSession
{
    MailboxTarget Mailbox { get; }

    /// <summary>Requests sent for this mailbox, retries included.</summary>
    int Requests { get; }

    /// <summary>Time spent waiting because the server throttled or failed transiently.</summary>
    TimeSpan ThrottledFor { get; }

    /// <summary>Reads a well-known folder ("inbox", "sentitems", "msgfolderroot", ...). Reading the inbox is the
    /// preflight: it proves the mailbox exists and may be impersonated.</summary>
    Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken);

    Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken);

    /// <summary>One page of item changes in a folder, with full properties (and MIME when asked) for new and changed items.</summary>
    Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken);
}
