using System.Text.RegularExpressions;

namespace InboxPS.Core.Ews;

/// <summary>The mailbox a request impersonates: the ConnectingSID value and which kind of identifier it is.</summary>
public sealed class MailboxIdentity
{
    // A SID in its SDDL string form, e.g. S-1-5-21-1234-5678-1118.
    private static readonly Regex s_sid = new(@"^S-1-\d+(-\d+)+$", RegexOptions.CultureInvariant);

    /// <exception cref="InboxException">InvalidMailboxIdentity: empty, not an address, or not a SID.</exception>
    public MailboxIdentity(string value, ConnectingSidKind kind = ConnectingSidKind.PrimarySmtpAddress)
    {
        Value = Validate(value?.Trim() ?? string.Empty, kind);
        Kind = kind;
    }

    public string Value { get; }

    public ConnectingSidKind Kind { get; }

    /// <summary>
    /// The X-AnchorMailbox header value: Exchange routes by address, so every kind but a SID anchors on its value.
    /// A SID is no address, so requests that impersonate by SID go without the header.
    /// </summary>
    internal string? AnchorMailbox => Kind == ConnectingSidKind.SID ? null : Value;

    public override string ToString() => Value;

    private static string Validate(string value, ConnectingSidKind kind)
    {
        if (kind == ConnectingSidKind.SID ? s_sid.IsMatch(value) : IsAddress(value))
        {
            return value;
        }

        var expected = kind == ConnectingSidKind.SID ? "a SID such as S-1-5-21-...-1118" : "an address such as alice@contoso.com";
        throw new InboxException("InvalidMailboxIdentity", InboxErrorKind.InvalidArgument,
            $"'{value}' is not a valid {kind} to impersonate: expected {expected}.",
            "Pass the mailbox's primary SMTP address or user principal name.", value);
    }

    // Deliberately loose (Exchange is the judge of which addresses exist), but strict about what would corrupt the
    // header or the XML: whitespace, control characters, and anything but exactly one '@' between two non-empty parts.
    private static bool IsAddress(string value)
    {
        var at = value.IndexOf('@');
        if (value.Length > 320 || at <= 0 || at == value.Length - 1 || value.IndexOf('@', at + 1) >= 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or ',' or ';')
            {
                return false;
            }
        }

        return true;
    }
}
