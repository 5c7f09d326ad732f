using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Core.Organizations;

/// <summary>The error ids about which organization a command means; one place, so every cmdlet says it the same way.</summary>
public static class OrganizationErrors
{
    public const string NotFoundId = "OrganizationNotFound";
    public const string NoneId = "NoOrganization";
    public const string RequiredId = "OrganizationRequired";

    public static InboxException NotFound(string name) => new(NotFoundId, InboxErrorKind.NotFound,
        $"There is no InboxPS organization named '{name}'.",
        "Run Get-InboxOrganization to list the organizations, or create one with Set-InboxAccessType.", name);

    public static InboxException None() => new(NoneId, InboxErrorKind.NotFound,
        "InboxPS has no organization yet.",
        "Create one with Set-InboxAccessType -Organization <name> -AccessType <type>.");

    public static InboxException Required(IReadOnlyCollection<OrganizationProfile> all) => new(RequiredId, InboxErrorKind.InvalidArgument,
        $"InboxPS knows {all.Count} organizations ({string.Join(", ", all.Select(o => o.Name))}); say which one.",
        "Add -Organization <name>.");
}
