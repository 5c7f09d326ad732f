using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Shows the organizations' connections: who is signed in, how, until when, and whether the sign-in still works. A
/// delegated sign-in saved by an earlier session is restored (silently) to answer that.
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxConnection")]
[OutputType(typeof(ConnectionInfo))]
public sealed class GetInboxConnectionCommand : AsyncInboxCmdlet
{
    /// <summary>Organizations to show; wildcards allowed. Every connected organization when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Organization { get; set; }

    protected override void ProcessRecord()
    {
        var organizations = Store.GetOrganizations();
        var wanted = new List<OrganizationProfile>();
        foreach (var name in Organization ?? new[] { "*" })
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = organizations.Where(o => pattern.IsMatch(o.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteInboxError(OrganizationResolver.NotFound(name));
            }

            var named = !WildcardPattern.ContainsWildcardCharacters(name);
            foreach (var organization in matches.Where(o => !wanted.Contains(o)))
            {
                if (ConnectionRegistry.IsConnected(organization.Name, Store))
                {
                    wanted.Add(organization);
                }
                else if (named)
                {
                    WriteError(ErrorRecords.From("NotConnected", ErrorCategory.ObjectNotFound,
                        $"'{organization.Name}' is not connected.", organization.Name,
                        $"Run Connect-InboxImpersonation -Organization {organization.Name}."));
                }
            }
        }

        RunAsync(cancellationToken => DescribeAsync(wanted, cancellationToken));
    }

    private async Task DescribeAsync(IEnumerable<OrganizationProfile> organizations, CancellationToken cancellationToken)
    {
        foreach (var organization in organizations)
        {
            if (await ConnectionRegistry.DescribeAsync(organization, Store, null, cancellationToken).ConfigureAwait(false) is { } info)
            {
                Post(() => WriteObject(info));
            }
        }
    }
}
