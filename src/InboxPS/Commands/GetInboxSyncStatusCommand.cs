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
/// Start-InboxSync (Get-InboxSyncStatus -Status Failed | Start-InboxSync retries only the failed users). Users are
/// named as the other per-user readers take them (<see cref="StoredMailboxCmdlet"/>).
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxSyncStatus")]
[OutputType(typeof(RosterEntry))]
public sealed class GetInboxSyncStatusCommand : StoredMailboxCmdlet
{
    /// <summary>Only users whose last outcome is this.</summary>
    [Parameter]
    [ValidateSet(RosterStatus.Pending, RosterStatus.Synced, RosterStatus.Failed, RosterStatus.Inactive, RosterStatus.Incomplete, RosterStatus.Rebaselining, IgnoreCase = true)]
    public string? Status { get; set; }

    /// <summary>Include deactivated users (Disable-InboxSync) and failures of users that were never activated.</summary>
    [Parameter]
    public SwitchParameter IncludeInactive { get; set; }

    protected override void ProcessRecord()
    {
        var query = RosterQueryFor(Organization, Mailbox, PrimarySmtpAddress, UserPrincipalName);
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
