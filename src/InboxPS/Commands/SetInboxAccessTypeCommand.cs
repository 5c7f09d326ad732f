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

    /// <summary>
    /// The proxy EWS, Graph and the sign-in go through, e.g. http://proxy.contoso.com:8080 (no credentials in it: give
    /// those with Connect-InboxImpersonation -ProxyCredential). $null goes back to the system's proxy (HTTPS_PROXY and
    /// NO_PROXY, or the Windows setting), which is the default.
    /// </summary>
    [Parameter]
    [AllowNull]
    public Uri? Proxy { get; set; }

    /// <summary>Answer the proxy's challenge as the signed-in Windows user (Negotiate, NTLM); -ProxyUseDefaultCredentials:$false stops it.</summary>
    [Parameter]
    public SwitchParameter ProxyUseDefaultCredentials { get; set; }

    protected override void ProcessRecord()
    {
        AccessTypePlan plan;
        try
        {
            var bound = MyInvocation.BoundParameters;
            var environment = bound.ContainsKey(nameof(Environment)) ? Environment : (ExchangeEnvironment?)null;
            plan = Session.PlanAccessType(Organization, AccessType, EwsUrl, environment, DateTimeOffset.UtcNow, GraphUrl, request =>
            {
                request.Proxy = Proxy;
                request.UseSystemProxy = bound.ContainsKey(nameof(Proxy)) && Proxy is null;
                request.ProxyUseDefaultCredentials = bound.ContainsKey(nameof(ProxyUseDefaultCredentials)) ? ProxyUseDefaultCredentials.IsPresent : null;
            });
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
        var endpoint = (profile.UsesGraph ? $"Microsoft Graph {profile.GraphUrl?.ToString() ?? profile.Environment.ToString()}" : $"EWS URL {profile.EwsUrl}")
            + (profile.Proxy is { } proxy ? $" through the proxy {proxy}" : string.Empty);
        var action = plan.IsNew
            ? $"Create the organization with access type {profile.AccessType} at {endpoint}"
            : $"Set access type {profile.AccessType}, environment {profile.Environment}, {endpoint}";
        if (!ShouldProcess(profile.Name, action))
        {
            return;
        }

        if (Terminating(() => Session.ApplyAccessType(plan)))
        {
            WriteWarning(plan.InvalidatesSignIn
                ? $"'{profile.Name}' was disconnected because its access type, cloud, EWS URL or Graph URL changed. Run Connect-InboxImpersonation -Organization {profile.Name} to sign in again."
                : $"'{profile.Name}' was disconnected because its proxy changed. Run Connect-InboxImpersonation -Organization {profile.Name} to connect through the new one (a saved delegated sign-in reconnects by itself).");
        }

        WriteObject(profile);
    }
}
