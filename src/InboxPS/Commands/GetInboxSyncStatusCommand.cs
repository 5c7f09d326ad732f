using System;
using System.Collections.Generic;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
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
    [Alias("Identity")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    /// <summary>
    /// A piped mailbox's address (Get-Mailbox, Get-EXOMailbox, Graph users, CSV rows): bound apart from Identity, which
    /// Get-Mailbox fills with a display name, and used instead of it, as Start-InboxSync does.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("WindowsEmailAddress", "Mail", "EmailAddress", "SmtpAddress")]
    public string? PrimarySmtpAddress { get; set; }

    /// <summary>A piped user's principal name; matched too, for users activated by it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("UPN")]
    public string? UserPrincipalName { get; set; }

    /// <summary>Only users whose last outcome is this.</summary>
    [Parameter]
    [ValidateSet(RosterStatus.Pending, RosterStatus.Synced, RosterStatus.Failed, RosterStatus.Inactive, RosterStatus.Incomplete, RosterStatus.Rebaselining, IgnoreCase = true)]
    public string? Status { get; set; }

    /// <summary>Include deactivated users (Disable-InboxSync) and failures of users that were never activated.</summary>
    [Parameter]
    public SwitchParameter IncludeInactive { get; set; }

    protected override void ProcessRecord()
    {
        var query = StoredMailboxCmdlet.RosterQueryFor(Organization, Mailbox, PrimarySmtpAddress, UserPrincipalName);
        query.Status = Status;
        query.IncludeInactive = IncludeInactive;

        IEnumerable<RosterEntry> entries;
        try
        {
            entries = Session.QueryRoster(query);
        }
        catch (InboxException e) when (e.ErrorId == OrganizationErrors.NotFoundId)
        {
            // An organization that does not exist is an error of this record: -ErrorAction decides.
            WriteInboxError(e);
            return;
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        // The roster is read in pages while it is written out: a damaged page can still turn up here.
        Terminating(() =>
        {
            foreach (var entry in entries)
            {
                WriteObject(entry);
            }
        });
    }
}
