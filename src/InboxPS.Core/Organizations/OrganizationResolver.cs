using System;
using System.Linq;
using InboxPS.Core.Store;

namespace InboxPS.Core.Organizations;

/// <summary>Finds the organization a command is about; -Organization may be left out when the store holds exactly one.</summary>
public static class OrganizationResolver
{
    /// <exception cref="InboxException">No such organization, none at all, or several and no name given.</exception>
    public static OrganizationProfile Resolve(IInboxStore store, string? name)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            return store.GetOrganization(name!.Trim()) ?? throw NotFound(name!.Trim());
        }

        var all = store.GetOrganizations();
        return all.Count switch
        {
            1 => all[0],
            0 => throw new InboxException("NoOrganization", InboxErrorKind.NotFound,
                "InboxPS has no organization yet.",
                "Create one with Set-InboxAccessType -Organization <name> -AccessType <type>."),
            _ => throw new InboxException("OrganizationRequired", InboxErrorKind.InvalidArgument,
                $"InboxPS knows {all.Count} organizations ({string.Join(", ", all.Select(o => o.Name))}); say which one.",
                "Add -Organization <name>."),
        };
    }

    public static InboxException NotFound(string name) => new("OrganizationNotFound", InboxErrorKind.NotFound,
        $"There is no InboxPS organization named '{name}'.",
        "Run Get-InboxOrganization to list the organizations, or create one with Set-InboxAccessType.", name);
}
