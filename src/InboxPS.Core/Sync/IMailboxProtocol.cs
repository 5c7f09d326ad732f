using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>How the engine reaches mailboxes (EWS today). One session per mailbox; a session is used by one worker.</summary>
public interface IMailboxProtocol
{
    IMailboxSession Open(MailboxTarget mailbox);
}

/// <summary>
/// One mailbox, impersonated. Methods throw <see cref="InboxException"/> with a stable ErrorId; transient faults have
/// already been retried (honouring the server's back-off) by the time one escapes.
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

/// <summary>Well-known error ids the engine reacts to, whatever the protocol.</summary>
public static class SyncErrorIds
{
    /// <summary>The folder's sync state is no longer valid: restart that folder without a state.</summary>
    public const string InvalidSyncState = "EwsInvalidSyncState";

    /// <summary>The folder no longer exists: drop it and re-sync the hierarchy.</summary>
    public const string SyncFolderNotFound = "EwsSyncFolderNotFound";

    /// <summary>The service account's sign-in is gone (revoked refresh token): stop the organization's run once.</summary>
    public const string ReconnectServiceAccount = "ReconnectServiceAccount";

    /// <summary>Exchange refused a freshly renewed token or the password: true for every mailbox, not just this one.</summary>
    public const string Unauthorized = "EwsUnauthorized";

    /// <summary>
    /// Failures that say nothing about one mailbox and everything about the organization's connection: the run stops
    /// with one error instead of failing every user with the same message.
    /// </summary>
    public static bool IsOrganizationWide(InboxException error) =>
        error.ErrorId is ReconnectServiceAccount or Unauthorized;
}
