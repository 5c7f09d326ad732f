using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Signs an organization's service account out: forgets the live connection and deletes the saved token cache, so
/// neither this session nor a later one can use the sign-in again.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "InboxImpersonation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class DisconnectInboxImpersonationCommand : InboxCmdlet
{
    /// <summary>The organization to disconnect; may be left out when exactly one exists.</summary>
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

        if (!ConnectionRegistry.IsConnected(profile.Name, Store))
        {
            WriteVerbose($"'{profile.Name}' is not connected; nothing to do.");
            return;
        }

        if (ShouldProcess(profile.Name, "Sign the service account out and delete its saved token cache"))
        {
            ConnectionRegistry.Disconnect(profile.Name, Store);
        }
    }
}
