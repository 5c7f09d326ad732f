using System.Collections.Generic;

namespace InboxPS.Core.Organizations;

/// <summary>
/// The organization profiles InboxPS keeps. Declared here, beside the code that reads profiles, and implemented by the
/// store, so organizations never depend on how or where they are stored.
/// </summary>
public interface IOrganizationCatalog
{
    IReadOnlyList<OrganizationProfile> GetOrganizations();

    /// <summary>The organization with this name (case-insensitive), or null.</summary>
    OrganizationProfile? GetOrganization(string name);

    /// <summary>Creates or replaces the organization's profile.</summary>
    void SaveOrganization(OrganizationProfile profile);

    /// <summary>Removes the organization and everything stored for it; false when there was none.</summary>
    bool RemoveOrganization(string name);
}
