using System.Management.Automation;
using InboxPS.Connections;

namespace InboxPS.Commands;

/// <summary>
/// Signs an organization's service account out: forgets the live connection and deletes the saved token cache, so
/// neither this session nor a later one can use the sign-in again.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "InboxImpersonation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class DisconnectInboxImpersonationCommand : OrganizationCmdlet
{
    protected override void ProcessRecord()
    {
        var profile = ResolveOrganization();
        if (!Session.Connections.IsConnected(profile.Name))
        {
            WriteVerbose($"'{profile.Name}' is not connected; nothing to do.");
            return;
        }

        if (ShouldProcess(profile.Name, "Sign the service account out and delete its saved token cache"))
        {
            Terminating(() => Session.Connections.Disconnect(profile.Name));
        }
    }
}
