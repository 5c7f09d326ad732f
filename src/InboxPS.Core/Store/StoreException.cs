using System;

namespace InboxPS.Core.Store;

/// <summary>The store could not be opened or written; the message names the path and what to do.</summary>
public sealed class StoreException : InboxException
{
    public StoreException(string errorId, InboxErrorKind kind, string path, string message, string recommendedAction,
        Exception? innerException = null, SyncFault fault = SyncFault.None)
        : base(errorId, kind, message, recommendedAction, path, innerException, fault)
    {
        Path = path;
    }

    public string Path { get; }

    // Disable-InboxSync -RemoveData (or Remove-InboxOrganization) may take a user out while a run syncs them: their next
    // write fails that user alone, with this error, instead of a foreign-key failure. The same for both stores.
    internal static StoreException MailboxRemovedDuringSync(string path, string mailbox) =>
        new("MailboxRemovedDuringSync", InboxErrorKind.OperationStopped, path,
            $"{mailbox} was removed from the store (Disable-InboxSync -RemoveData or Remove-InboxOrganization) while this run synced it; nothing more was stored for it.",
            "Run Start-InboxSync for this user again if they should be synced.");
}
