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
        var organizations = Store.GetOrganizations();
        if (Name is null)
        {
            WriteObject(organizations, enumerateCollection: true);
            return;
        }

        foreach (var name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var found = false;
            foreach (var organization in organizations)
            {
                if (pattern.IsMatch(organization.Name))
                {
                    found = true;
                    WriteObject(organization);
                }
            }

            if (!found && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(ErrorRecords.From("OrganizationNotFound", ErrorCategory.ObjectNotFound,
                    $"There is no InboxPS organization named '{name}'.", name,
                    "Run Get-InboxOrganization to list the organizations, or create one with Set-InboxAccessType."));
            }
        }
    }
}
