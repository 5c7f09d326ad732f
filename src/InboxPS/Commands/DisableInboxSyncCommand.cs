using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Deactivates users: they leave the organization's scheduled sync. With -RemoveData their folders, sync states and
/// stored items are deleted too. ConfirmImpact is High: it asks by default; pass -Confirm:$false in scripts.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "InboxSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RosterEntry))]
public sealed class StopInboxSyncCommand : MailboxPipelineCmdlet
{
    /// <summary>Also delete the users' stored folders, sync states and items.</summary>
    [Parameter]
    public SwitchParameter RemoveData { get; set; }

    /// <summary>Output the users' roster entries after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var organization = ResolveOrganization(Organization).Name;

        foreach (var record in ReadInputs())
        {
            MailboxTarget target;
            try
            {
                target = record.Resolve();
            }
            catch (InboxException e)
            {
                WriteInboxError(e);
                continue;
            }

            if (Store.GetRosterEntry(organization, target.Address) is null)
            {
                WriteInboxError(RosterErrors.NotOnRoster(organization, target));
                continue;
            }

            if (!ShouldProcess(target.Address, RemoveData ? "Deactivate sync and delete the stored items" : "Deactivate sync"))
            {
                continue;
            }

            Store.Deactivate(organization, target.Address, RemoveData);
            if (PassThru && Store.GetRosterEntry(organization, target.Address) is { } entry)
            {
                WriteObject(entry);
            }
        }
    }
}
