using System.Management.Automation;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// The preflight alone: may the service account impersonate each mailbox? Activates nothing, changes nothing; run it
/// before a bulk Start-InboxSync to see who would fail and why.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "InboxImpersonation")]
[OutputType(typeof(ImpersonationTestResult))]
public sealed class TestInboxImpersonationCommand : SyncEngineCmdlet
{
    protected override void BeginProcessing() => StartEngines();

    protected override (IMailboxJob Job, SyncOptions Options) CreateJob(OrganizationProfile organization) =>
        (new MailboxPreflight(organization.Name, ProtocolFor(organization, requireConnection: true)), new SyncOptions());

    protected override void WriteResult(object result)
    {
        WriteObject(result);
        if (result is ImpersonationTestResult { ErrorId: "MailboxAddressInvalid" or "MailboxIdentityUnresolvable" } bad && bad.GetError() is { } error)
        {
            // Bad input is an error for that record; a mailbox that cannot be impersonated is an answer, not an error.
            WriteInboxError(error);
        }
    }
}
