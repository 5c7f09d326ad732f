using System;
using System.Threading;

namespace InboxPS.Core.Sync;

/// <summary>
/// Which failures end one mailbox's work and which end the run. Anything a mailbox's work throws fails that mailbox only
/// (an exception InboxPS did not foresee becomes MailboxSyncFailed); only a failed sign-in of the organization, a store
/// that cannot be written and the run's own cancellation stop everyone.
/// </summary>
internal static class MailboxFailure
{
    /// <summary>True for the faults after which no mailbox can be worked on.</summary>
    public static bool StopsRun(InboxException error) => error.Fault is SyncFault.OrganizationSignIn or SyncFault.StoreFailed;

    /// <summary>True when <paramref name="error"/> is this mailbox's failure, not the run's cancellation or a stop.</summary>
    public static bool IsMailboxFailure(Exception error, CancellationToken cancellationToken) => error switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        InboxException inbox => !StopsRun(inbox),
        _ => true,
    };

    /// <summary>The failure as an admin reads it: an <see cref="InboxException"/> as it is, anything else wrapped.</summary>
    public static InboxException From(Exception error, string mailbox) => error as InboxException
        ?? new InboxException("MailboxSyncFailed", InboxErrorKind.InvalidOperation,
            $"Syncing {mailbox} failed unexpectedly: {error.Message}",
            "Run Start-InboxSync again for this user; if it fails the same way, report the error with its details ($Error[0].Exception.InnerException).",
            mailbox, error);
}
