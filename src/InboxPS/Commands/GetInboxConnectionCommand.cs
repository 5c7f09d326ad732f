using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
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
        var wanted = new List<OrganizationProfile>();
        foreach (var (organization, named) in SelectOrganizations(Organization ?? new[] { "*" }))
        {
            if (wanted.Contains(organization))
            {
                continue;
            }

            if (Session.Connections.IsConnected(organization.Name))
            {
                wanted.Add(organization);
            }
            else if (named)
            {
                WriteInboxError(ConnectionErrors.NothingToShow(organization.Name, Session.Connections.Registry.LastAuthorizationFailure(organization.Name)));
            }
        }

        var connections = Session.Connections;
        RunAsync(cancellationToken => DescribeAsync(connections, wanted, cancellationToken));
    }

    private async Task DescribeAsync(OrganizationConnections connections, IEnumerable<OrganizationProfile> organizations,
        CancellationToken cancellationToken)
    {
        foreach (var organization in organizations)
        {
            if (await connections.DescribeAsync(organization, cancellationToken).ConfigureAwait(false) is { } info)
            {
                Post(() => WriteObject(info));
            }
        }
    }
}
