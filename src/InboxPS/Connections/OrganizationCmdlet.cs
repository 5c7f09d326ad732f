using System.Management.Automation;
using InboxPS.Core.Organizations;
using InboxPS.Infrastructure;

namespace InboxPS.Connections;

/// <summary>Base of the cmdlets that act on one existing organization: -Organization, optional when only one exists.</summary>
public abstract class OrganizationCmdlet : InboxCmdlet
{
    /// <summary>The organization; may be left out when exactly one exists.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>The organization's profile; an unknown or ambiguous name stops the cmdlet with a clear error.</summary>
    protected OrganizationProfile ResolveOrganization() => ResolveOrganization(Organization);
}
