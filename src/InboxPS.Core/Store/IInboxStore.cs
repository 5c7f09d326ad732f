using System;
using System.Collections.Generic;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// Where InboxPS keeps what it knows between runs. SQLite is the embedded default; the sync engine and cmdlets only
/// see this interface so a shared store (PostgreSQL) can follow. Implementations are safe to call from many threads.
/// </summary>
public interface IInboxStore : ISyncStore, IDisposable
{
    /// <summary>Where the store lives, for messages an admin can act on.</summary>
    string Location { get; }

    IReadOnlyList<OrganizationProfile> GetOrganizations();

    /// <summary>The organization with this name (case-insensitive), or null.</summary>
    OrganizationProfile? GetOrganization(string name);

    /// <summary>Creates or replaces the organization's profile.</summary>
    void SaveOrganization(OrganizationProfile profile);

    /// <summary>Removes the organization and everything stored for it; false when there was none.</summary>
    bool RemoveOrganization(string name);
}
