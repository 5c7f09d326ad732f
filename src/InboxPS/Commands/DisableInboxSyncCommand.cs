using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Deactivates users: they leave the organization's scheduled sync (nothing that runs is stopped). With -RemoveData their
/// folders, sync states and stored items are deleted too. ConfirmImpact is High: it asks by default; pass -Confirm:$false
/// in scripts. Stop-InboxSync, its former name, stays an alias for one release.
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "InboxSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[Alias("Stop-InboxSync")]
[OutputType(typeof(RosterEntry))]
public sealed class DisableInboxSyncCommand : MailboxPipelineCmdlet
{
    /// <summary>Also delete the users' stored folders, sync states and items.</summary>
    [Parameter]
    public SwitchParameter RemoveData { get; set; }

    /// <summary>
    /// Output each user's roster entry after the change; with -RemoveData, the entry as it was removed (its Folders and
    /// Items say what was deleted).
    /// </summary>
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

            var before = Terminating(() => Store.GetRosterEntry(organization, target.Address));
            if (before is null)
            {
                WriteInboxError(RosterErrors.NotOnRoster(organization, target));
                continue;
            }

            if (!ShouldProcess(target.Address, RemoveData ? "Deactivate sync and delete the stored items" : "Deactivate sync"))
            {
                continue;
            }

            if (RemoveData)
            {
                // What is about to go: the figures counted now, not those of the last run.
                (before.Folders, before.Items) = Terminating(() => Store.CountStored(organization, target.Address));
            }

            Terminating(() => Store.Deactivate(organization, target.Address, RemoveData));
            if (!PassThru)
            {
                continue;
            }

            if (RemoveData)
            {
                before.Active = false;
                before.Status = RosterStatus.Inactive;
                WriteObject(before);
            }
            else if (Terminating(() => Store.GetRosterEntry(organization, target.Address)) is { } entry)
            {
                WriteObject(entry);
            }
        }
    }
}
