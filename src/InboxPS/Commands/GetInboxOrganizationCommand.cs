using System.Management.Automation;
using InboxPS.Core.Organizations;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>Lists the organization profiles InboxPS knows (Get-InboxOrganization).</summary>
[Cmdlet(VerbsCommon.Get, "InboxOrganization")]
[OutputType(typeof(OrganizationProfile))]
public sealed class GetInboxOrganizationCommand : InboxCmdlet
{
    /// <summary>Names of organizations to list; wildcards allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Organization")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is null)
        {
            WriteObject(Terminating(() => Store.GetOrganizations()), enumerateCollection: true);
            return;
        }

        foreach (var (organization, _) in SelectOrganizations(Name))
        {
            WriteObject(organization);
        }
    }
}
