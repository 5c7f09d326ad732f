using System.Management.Automation;
using InboxPS.Connections;

namespace InboxPS.Commands;

/// <summary>
/// Deletes an organization and everything InboxPS keeps for it: its sign-in (live and saved), roster, sync states and
/// stored items. ConfirmImpact is High: it asks by default; pass -Confirm:$false in scripts.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "InboxOrganization", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveInboxOrganizationCommand : OrganizationCmdlet
{
    protected override void ProcessRecord()
    {
        // A name that does not exist is an error of this record: -ErrorAction decides, the next record goes on.
        if (FindOrganization(Organization) is { } profile && ShouldProcess(profile.Name, "Remove the organization with its sign-in, roster, sync states and stored items"))
        {
            Terminating(() => Session.RemoveOrganization(profile));
        }
    }
}
