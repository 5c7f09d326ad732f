using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Core.Organizations;

/// <summary>The error ids about which organization a command means; one place, so every cmdlet says it the same way.</summary>
public static class OrganizationErrors
{
    public const string NotFoundId = "OrganizationNotFound";
    public const string NoneId = "NoOrganization";
    public const string RequiredId = "OrganizationRequired";
    public const string NameInvalidId = "OrganizationNameInvalid";

    /// <summary>The longest organization name: it is typed at every -Organization and shown in every result.</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// A new organization's name: any script, but no control or formatting characters (NUL, line breaks, the
    /// right-to-left override and other bidirectional controls that make a name read as another), and at most
    /// <see cref="MaxNameLength"/> characters.
    /// </summary>
    /// <exception cref="InboxException">OrganizationNameInvalid.</exception>
    public static void RequireValidName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length > MaxNameLength)
        {
            throw NameInvalid($"An organization name has at most {MaxNameLength} characters; this one has {trimmed.Length}.");
        }

        if (VisibleText.FindInvisible(trimmed) is { } c)
        {
            // Named by code point: the character itself could reverse or hide the rest of the line.
            throw NameInvalid($"The organization name contains the invisible character {VisibleText.CodePoint(c)}; names are shown in every result and typed at every -Organization.");
        }
    }

    private static InboxException NameInvalid(string message) => new(NameInvalidId, InboxErrorKind.InvalidArgument, message,
        $"Choose a short, visible name such as the tenant's (for example contoso), at most {MaxNameLength} characters.");

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
