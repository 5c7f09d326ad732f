using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Deletes an organization and everything InboxPS keeps for it: its sign-in (live and saved), roster, sync states and
/// stored items. ConfirmImpact is High: it asks by default; pass -Confirm:$false in scripts.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "InboxOrganization", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveInboxOrganizationCommand : InboxCmdlet
{
    /// <summary>The organization to remove; may be left out when exactly one exists.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    protected override void ProcessRecord()
    {
        OrganizationProfile profile;
        try
        {
            profile = OrganizationResolver.Resolve(Store, Organization);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        if (ShouldProcess(profile.Name, "Remove the organization with its sign-in, roster, sync states and stored items"))
        {
            ConnectionRegistry.Disconnect(profile.Name, Store);
            Store.RemoveOrganization(profile.Name);
        }
    }
}
