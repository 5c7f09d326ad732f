using System.Globalization;
using System.Text;

namespace InboxPS.Core;

/// <summary>
/// Names and addresses an admin types and reads hold no invisible characters: control characters (NUL, line breaks),
/// formatting characters (zero-width spaces, the right-to-left override and the other bidirectional controls, the BOM)
/// and line or paragraph separators. Errors show such a character by its code point, never as itself.
/// </summary>
internal static class VisibleText
{
    /// <summary>The first invisible character of <paramref name="value"/>, or null.</summary>
    public static char? FindInvisible(string value)
    {
        foreach (var c in value)
        {
            if (IsInvisible(c))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>"U+202E" for a character.</summary>
    public static string CodePoint(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

    /// <summary><paramref name="value"/> with each invisible character written as &lt;U+XXXX&gt;.</summary>
    public static string Show(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (IsInvisible(c))
            {
                builder.Append('<').Append(CodePoint(c)).Append('>');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsInvisible(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
