using System;
using System.Globalization;
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
        AnchorMailbox = kind == ConnectingSidKind.SID ? null : AsciiAnchor(Value);
    }

    public string Value { get; }

    public ConnectingSidKind Kind { get; }

    /// <summary>
    /// The X-AnchorMailbox header value: Exchange routes by address, so every kind but a SID anchors on its value.
    /// A SID is no address, so requests that impersonate by SID go without the header. HTTP headers carry ASCII only:
    /// an internationalized domain is sent in its ASCII (punycode) form, as Exchange stores accepted domains.
    /// </summary>
    internal string? AnchorMailbox { get; }

    public override string ToString() => Value;

    private static string AsciiAnchor(string address)
    {
        var at = address.IndexOf('@');
        var local = address.Substring(0, at);
        foreach (var c in local)
        {
            if (c > 0x7F)
            {
                throw new InboxException("MailboxAddressNotAscii", InboxErrorKind.InvalidArgument,
                    $"'{address}' has characters beyond ASCII before the '@'. EWS routes every request by the mailbox's address in the X-AnchorMailbox HTTP header, which carries ASCII only, so this mailbox cannot be reached by this address over EWS.",
                    "Pipe the mailbox's UserPrincipalName or an ASCII address from its EmailAddresses (Get-Mailbox shows them), or use the Graph access type (Set-InboxAccessType).",
                    address);
            }
        }

        try
        {
            return local + "@" + new IdnMapping().GetAscii(address.Substring(at + 1));
        }
        catch (ArgumentException e)
        {
            throw new InboxException("InvalidMailboxIdentity", InboxErrorKind.InvalidArgument,
                $"'{address}' has a domain that is not a valid internationalized domain name: {e.Message}",
                "Pass the mailbox's primary SMTP address or user principal name.", address, e);
        }
    }

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
