using System;
using System.Management.Automation;
using InboxPS.Connections;
using InboxPS.Core;
using InboxPS.Core.Organizations;

namespace InboxPS.Commands;

/// <summary>
/// Creates (-Organization names a new one) or updates an organization's profile: how its mailboxes are reached (the
/// admin panel's "Mailbox Access Type"), its cloud and EWS URL. Refuses what cannot work, warns about what is ending,
/// and signs a connected organization out when its access type, cloud or EWS URL changes.
/// </summary>
[Cmdlet(VerbsCommon.Set, "InboxAccessType", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OrganizationProfile))]
public sealed class SetInboxAccessTypeCommand : OrganizationCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    public AccessType AccessType { get; set; }

    /// <summary>The EWS endpoint; Exchange Online's is the default for the OAuth types, Exchange Server's must be given.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? EwsUrl { get; set; }

    /// <summary>
    /// A Microsoft Graph endpoint other than the cloud's (a test endpoint or a proxy), for -AccessType GraphAppOnly;
    /// e.g. https://127.0.0.1:8443/v1.0/. Tokens are still asked for the cloud's Graph (-Environment).
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? GraphUrl { get; set; }

    /// <summary>The Microsoft cloud; follows from -EwsUrl when that names one, else Global.</summary>
    [Parameter]
    [Alias("ExchangeEnvironmentName")]
    public ExchangeEnvironment Environment { get; set; }

    protected override void ProcessRecord()
    {
        AccessTypePlan plan;
        try
        {
            var environment = MyInvocation.BoundParameters.ContainsKey(nameof(Environment)) ? Environment : (ExchangeEnvironment?)null;
            plan = Session.PlanAccessType(Organization, AccessType, EwsUrl, environment, DateTimeOffset.UtcNow, GraphUrl);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        var profile = plan.Profile;
        var endpoint = profile.UsesGraph ? $"Microsoft Graph {profile.GraphUrl?.ToString() ?? profile.Environment.ToString()}" : $"EWS URL {profile.EwsUrl}";
        var action = plan.IsNew
            ? $"Create the organization with access type {profile.AccessType} at {endpoint}"
            : $"Set access type {profile.AccessType}, environment {profile.Environment}, {endpoint}";
        if (!ShouldProcess(profile.Name, action))
        {
            return;
        }

        if (Terminating(() => Session.ApplyAccessType(plan)))
        {
            WriteWarning($"'{profile.Name}' was disconnected because its access type, cloud, EWS URL or Graph URL changed. Run Connect-InboxImpersonation -Organization {profile.Name} to sign in again.");
        }

        WriteObject(profile);
    }
}
