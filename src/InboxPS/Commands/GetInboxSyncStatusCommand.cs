using System;
using System.Collections.Generic;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
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
    [ValidateSet(RosterStatus.Pending, RosterStatus.Synced, RosterStatus.Failed, RosterStatus.Inactive, RosterStatus.Incomplete, IgnoreCase = true)]
    public string? Status { get; set; }

    /// <summary>Include deactivated users (Stop-InboxSync) and failures of users that were never activated.</summary>
    [Parameter]
    public SwitchParameter IncludeInactive { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = Mailbox is null ? null : Array.ConvertAll(Mailbox, m => new WildcardPattern(m, WildcardOptions.IgnoreCase));
        var query = new RosterQuery
        {
            Organization = Organization,
            Status = Status,
            IncludeInactive = IncludeInactive,
            MailboxFilter = patterns is null ? null : mailbox => Array.Exists(patterns, p => p.IsMatch(mailbox)),
        };

        IEnumerable<RosterEntry> entries;
        try
        {
            entries = Session.QueryRoster(query);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        foreach (var entry in entries)
        {
            WriteObject(entry);
        }
    }
}
