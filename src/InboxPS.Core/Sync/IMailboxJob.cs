using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What the <see cref="SyncEngine"/> does with each mailbox: sync it (<see cref="MailboxSynchronizer"/>) or only check
/// it can be impersonated (<see cref="MailboxPreflight"/>). The engine owns the workers, de-duplication, parking and
/// progress; a job owns one mailbox at a time and never sees the others.
/// </summary>
public interface IMailboxJob
{
    /// <summary>The failed outcome of a record: it names no mailbox the job could work on, or the work on it threw.</summary>
    MailboxOutcome Unresolvable(string record, InboxException error);

    /// <summary>
    /// Works on one mailbox and returns its outcome; a failure of the mailbox is an outcome, not an exception.
    /// <paramref name="revisit"/> is true for the second visit of a parked mailbox.
    /// </summary>
    /// <exception cref="InboxException">Only with <see cref="SyncFault.OrganizationSignIn"/> or <see cref="SyncFault.StoreFailed"/>:
    /// no mailbox can be worked on.</exception>
    /// <exception cref="System.OperationCanceledException">The run was cancelled; what was stored so far stays.</exception>
    Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken);
}
