namespace InboxPS.Core.Organizations;

/// <summary>Finds the organization a command is about; -Organization may be left out when the catalog holds exactly one.</summary>
public static class OrganizationResolver
{
    /// <exception cref="InboxException">No such organization, none at all, or several and no name given.</exception>
    public static OrganizationProfile Resolve(IOrganizationCatalog organizations, string? name)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            return Find(organizations, name!);
        }

        var all = organizations.GetOrganizations();
        return all.Count switch
        {
            1 => all[0],
            0 => throw OrganizationErrors.None(),
            _ => throw OrganizationErrors.Required(all),
        };
    }

    /// <summary>The organization named <paramref name="name"/>, which must exist.</summary>
    /// <exception cref="InboxException">OrganizationNotFound.</exception>
    public static OrganizationProfile Find(IOrganizationCatalog organizations, string name) =>
        organizations.GetOrganization(name.Trim()) ?? throw OrganizationErrors.NotFound(name.Trim());
}
