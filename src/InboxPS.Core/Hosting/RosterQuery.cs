using System;
using System.Collections.Generic;
using System.Linq;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Which roster rows Get-InboxSyncStatus shows: one organization or all, users whose last outcome is one status, users
/// whose address matches. Deactivated users are left out unless asked for by -IncludeInactive, by status Inactive, or
/// by status Failed (a failure of a user that never got activated is still worth seeing).
/// </summary>
public sealed class RosterQuery
{
    /// <summary>The organization, which must exist; every organization when null.</summary>
    public string? Organization { get; set; }

    /// <summary>Only users whose last outcome is this (a <see cref="RosterStatus"/> value, any case).</summary>
    public string? Status { get; set; }

    public bool IncludeInactive { get; set; }

    /// <summary>Only users whose address this accepts (the cmdlet's wildcards); every user when null.</summary>
    public Func<string, bool>? MailboxFilter { get; set; }

    /// <summary>
    /// Exact addresses (no wildcards, as a piped Get-Mailbox object gives): each is read by its key in every organization
    /// asked for, so piping 10,000 mailboxes never scans the roster 10,000 times. Null: the whole roster.
    /// </summary>
    public IReadOnlyList<string>? Mailboxes { get; set; }

    /// <summary>The matching rows, read lazily in mailbox order.</summary>
    /// <exception cref="InboxException">OrganizationNotFound, at once rather than on the first row.</exception>
    public IEnumerable<RosterEntry> Run(IInboxStore store)
    {
        var organization = Organization is null ? null : OrganizationResolver.Find(store, Organization).Name;
        var activeOnly = !IncludeInactive && !IsStatus(RosterStatus.Inactive) && !IsStatus(RosterStatus.Failed);
        return Filter(Mailboxes is null ? store.GetRoster(organization, activeOnly) : Lookup(store, organization, activeOnly));
    }

    private IEnumerable<RosterEntry> Lookup(IInboxStore store, string? organization, bool activeOnly)
    {
        var organizations = organization is null
            ? store.GetOrganizations().Select(o => o.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList()
            : new List<string> { organization };
        foreach (var name in organizations)
        {
            foreach (var mailbox in Mailboxes!.Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(m => m, StringComparer.OrdinalIgnoreCase))
            {
                if (store.GetRosterEntry(name, mailbox) is { } entry && (!activeOnly || entry.Active))
                {
                    yield return entry;
                }
            }
        }
    }

    private IEnumerable<RosterEntry> Filter(IEnumerable<RosterEntry> roster)
    {
        foreach (var entry in roster)
        {
            if ((Status is null || IsStatus(entry.Status)) && (MailboxFilter is null || MailboxFilter(entry.Mailbox)))
            {
                yield return entry;
            }
        }
    }

    private bool IsStatus(string status) => string.Equals(Status, status, StringComparison.OrdinalIgnoreCase);
}
