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
        // A piped object's addresses win over its Identity (a display name for Get-Mailbox). Names without wildcards
        // are read by key; only wildcards scan the roster.
        var addresses = new List<string>();
        foreach (var address in new[] { PrimarySmtpAddress, UserPrincipalName })
        {
            if (!string.IsNullOrWhiteSpace(address))
            {
                addresses.Add(address!.Trim());
            }
        }

        var names = addresses.Count > 0 ? addresses.ToArray() : Mailbox;
        var exact = names is not null && !Array.Exists(names, WildcardPattern.ContainsWildcardCharacters);
        var patterns = names is null || exact ? null : Array.ConvertAll(names, m => new WildcardPattern(m, WildcardOptions.IgnoreCase));
        var query = new RosterQuery
        {
            Organization = Organization,
            Status = Status,
            IncludeInactive = IncludeInactive,
            Mailboxes = exact ? names : null,
            MailboxFilter = patterns is null ? null : mailbox => Array.Exists(patterns, p => p.IsMatch(mailbox)),
        };

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

        foreach (var entry in entries)
        {
            WriteObject(entry);
        }
    }
}
