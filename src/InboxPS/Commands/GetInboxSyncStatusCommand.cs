using System;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// The monitoring view of the roster: who is activated, who is syncing, who failed and why. Its objects pipe back into
/// Start-InboxSync (Get-InboxSyncStatus -Status Failed | Start-InboxSync retries only the failed users).
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxSyncStatus")]
[OutputType(typeof(RosterEntry))]
public sealed class GetInboxSyncStatusCommand : InboxCmdlet
{
    /// <summary>The organization; all organizations when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>Mailbox addresses to show; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Identity", "PrimarySmtpAddress")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    /// <summary>Only users whose last outcome is this.</summary>
    [Parameter]
    [ValidateSet(RosterStatus.Pending, RosterStatus.Synced, RosterStatus.Failed, RosterStatus.Inactive, IgnoreCase = true)]
    public string? Status { get; set; }

    /// <summary>Include deactivated users (Stop-InboxSync) and failures of users that were never activated.</summary>
    [Parameter]
    public SwitchParameter IncludeInactive { get; set; }

    protected override void ProcessRecord()
    {
        string? organization = null;
        if (Organization is not null)
        {
            organization = (Store.GetOrganization(Organization) ?? ThrowNotFound(Organization)).Name;
        }

        var patterns = Mailbox is null ? null : Array.ConvertAll(Mailbox, m => new WildcardPattern(m, WildcardOptions.IgnoreCase));
        var activeOnly = !IncludeInactive && !string.Equals(Status, RosterStatus.Inactive, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Status, RosterStatus.Failed, StringComparison.OrdinalIgnoreCase);
        foreach (var entry in Store.GetRoster(organization, activeOnly))
        {
            if (Status is not null && !string.Equals(entry.Status, Status, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (patterns is not null && Array.TrueForAll(patterns, p => !p.IsMatch(entry.Mailbox)))
            {
                continue;
            }

            WriteObject(entry);
        }
    }

    private OrganizationProfile ThrowNotFound(string name)
    {
        ThrowTerminating(OrganizationResolver.NotFound(name));
        return null!;
    }
}
