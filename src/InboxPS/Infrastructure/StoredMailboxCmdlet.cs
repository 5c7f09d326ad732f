using System;
using System.Collections.Generic;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Infrastructure;

/// <summary>
/// Base of the cmdlets that read what the store holds per user (status, statistics, items): users named by -Mailbox (wildcards)
/// or piped from Get-InboxSyncStatus, Get-Mailbox, Graph users or CSV rows, as Get-InboxSyncStatus takes them.
/// Deactivated users are included: their synced data stays until Disable-InboxSync -RemoveData.
/// </summary>
public abstract class StoredMailboxCmdlet : InboxCmdlet
{
    /// <summary>The organization; all organizations when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>Mailbox addresses; wildcards allowed. All users when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Identity")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    /// <summary>A piped mailbox's address, used instead of its Identity (a display name for Get-Mailbox).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("WindowsEmailAddress", "Mail", "EmailAddress", "SmtpAddress")]
    public string? PrimarySmtpAddress { get; set; }

    /// <summary>A piped user's principal name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("UPN")]
    public string? UserPrincipalName { get; set; }

    /// <summary>
    /// The roster query for a record's names: a piped object's addresses win over its Identity (a display name for
    /// Get-Mailbox); names without wildcards are read by key, only wildcards scan the roster.
    /// </summary>
    internal static RosterQuery RosterQueryFor(string? organization, string[]? mailbox, string? primarySmtpAddress, string? userPrincipalName)
    {
        var addresses = new List<string>();
        foreach (var address in new[] { primarySmtpAddress, userPrincipalName })
        {
            if (!string.IsNullOrWhiteSpace(address))
            {
                addresses.Add(address!.Trim());
            }
        }

        var names = addresses.Count > 0 ? addresses.ToArray() : mailbox;
        var exact = names is not null && !Array.Exists(names, WildcardPattern.ContainsWildcardCharacters);
        var patterns = names is null || exact ? null : Array.ConvertAll(names, m => new WildcardPattern(m, WildcardOptions.IgnoreCase));
        return new RosterQuery
        {
            Organization = organization,
            Mailboxes = exact ? names : null,
            MailboxFilter = patterns is null ? null : m => Array.Exists(patterns, p => p.IsMatch(m)),
        };
    }

    /// <summary>
    /// The roster rows this record names, with their organizations, read lazily; an organization that does not exist is
    /// this record's error and yields nothing.
    /// </summary>
    protected IEnumerable<(OrganizationProfile Organization, RosterEntry Entry)> SelectUsers()
    {
        var query = RosterQueryFor(Organization, Mailbox, PrimarySmtpAddress, UserPrincipalName);
        query.IncludeInactive = true;

        IEnumerable<RosterEntry> entries;
        try
        {
            entries = Session.QueryRoster(query);
        }
        catch (InboxException e) when (e.ErrorId == OrganizationErrors.NotFoundId)
        {
            WriteInboxError(e);
            yield break;
        }

        var organizations = new Dictionary<string, OrganizationProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (!organizations.TryGetValue(entry.Organization, out var organization))
            {
                organization = organizations[entry.Organization] = Store.GetOrganization(entry.Organization)!;
            }

            yield return (organization, entry);
        }
    }
}
