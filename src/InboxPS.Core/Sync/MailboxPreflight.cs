using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// Test-InboxImpersonation's work on one mailbox: open it and read its inbox, which proves the mailbox exists and the
/// service account may impersonate it. Activates nothing and stores nothing.
/// </summary>
public sealed class MailboxPreflight : IMailboxJob
{
    private readonly string _organization;
    private readonly IMailboxProtocol _protocol;

    public MailboxPreflight(string organization, IMailboxProtocol protocol)
    {
        _organization = organization;
        _protocol = protocol;
    }

    /// <summary>The check itself, shared with <see cref="MailboxSynchronizer"/>: reads the inbox, which sync needs anyway.</summary>
    internal static Task<MailFolder> CheckAsync(IMailboxSession session, CancellationToken cancellationToken) =>
        session.GetWellKnownFolderAsync("inbox", cancellationToken);

    public MailboxOutcome Unresolvable(string record, InboxException error)
    {
        var result = new ImpersonationTestResult(_organization, record);
        result.Fail(error, TimeSpan.Zero);
        return result;
    }

    public async Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        var result = new ImpersonationTestResult(_organization, mailbox.Address);
        try
        {
            await CheckAsync(_protocol.Open(mailbox), cancellationToken).ConfigureAwait(false);
            result.CanImpersonate = true;
        }
        catch (InboxException e) when (e.Fault != SyncFault.OrganizationSignIn)
        {
            result.Fail(e, timer.Elapsed);
        }

        result.Duration = timer.Elapsed;
        return result;
    }
}
