namespace InboxPS.Core;

/// <summary>
/// What a failure means to the sync engine, whatever protocol raised it. Protocols map their own codes onto these
/// (EWS ResponseCodes, Graph error codes, HTTP statuses) and keep their own <see cref="InboxException.ErrorId"/> for the
/// admin; the engine decides what to do from this alone, never from an error id.
/// </summary>
public enum SyncFault
{
    /// <summary>Nothing the engine treats specially: the mailbox fails with the error as it is.</summary>
    None,

    /// <summary>The folder's (or hierarchy's) sync state is no longer valid: start that folder again without a state.</summary>
    InvalidSyncState,

    /// <summary>The folder being synced no longer exists: drop it and read the hierarchy again.</summary>
    FolderNotFound,

    /// <summary>The organization's sign-in failed for every mailbox (revoked, refused token or password): stop the run once.</summary>
    OrganizationSignIn,

    /// <summary>The server throttled this mailbox or is over its capacity; the error carries the back-off if it said one.</summary>
    Throttled,

    /// <summary>Transient trouble reaching the server (timeouts, dropped connections, 5xx): worth trying again later.</summary>
    Unavailable,

    /// <summary>The mailbox (or the user) does not exist, or has no mailbox the protocol can reach.</summary>
    MailboxNotFound,

    /// <summary>The service account or app may not read this mailbox.</summary>
    AccessDenied,

    /// <summary>One item could not be read (deleted meanwhile, corrupt, too large); the rest of the folder can go on.</summary>
    ItemFailed,

    /// <summary>The store cannot be written at all (full disk, read-only, damaged, locked past the wait): stop the run once.</summary>
    StoreFailed,

    /// <summary>
    /// This worker's claim on the mailbox expired (it stalled) and another worker took the mailbox over: stop working on
    /// it without storing more. Not a failure of the user: the other worker continues from the last stored page.
    /// </summary>
    ClaimLost,
}
