using System;
using System.Net.Mail;

namespace InboxPS.Core.Sync;

/// <summary>
/// One record as an admin piped it in: whichever identity properties it had (Get-Mailbox, Get-EXOMailbox, Graph users,
/// CSV rows, plain strings). <see cref="Resolve"/> picks the address to impersonate.
/// </summary>
public sealed class MailboxInput
{
    public string? Text { get; set; }
    public string? Identity { get; set; }
    public string? PrimarySmtpAddress { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? ExternalDirectoryObjectId { get; set; }
    public string? ExchangeGuid { get; set; }
    public string? Alias { get; set; }

    /// <summary>A user already on the roster, replayed by a scheduled run with no input.</summary>
    public static MailboxInput FromRoster(RosterEntry entry) => entry.AddressKind switch
    {
        MailboxAddressKind.PrincipalName => new MailboxInput { UserPrincipalName = entry.Mailbox },
        MailboxAddressKind.DirectoryObjectId => new MailboxInput { ExternalDirectoryObjectId = entry.Mailbox },
        _ => new MailboxInput { PrimarySmtpAddress = entry.Mailbox },
    };

    /// <summary>How the record reads in an error message: the first identity property it has.</summary>
    public string Describe() =>
        FirstNonEmpty(PrimarySmtpAddress, UserPrincipalName, Text, Identity, Alias, ExternalDirectoryObjectId, ExchangeGuid)
        ?? "(an empty record)";

    /// <summary>
    /// The mailbox to impersonate: PrimarySmtpAddress, else UserPrincipalName (EWS impersonates by principal name),
    /// else a piped string or an Identity that is an address, else the Entra object id (Get-MgUser's Id), which only
    /// Microsoft Graph can address (EWS refuses it when the session opens). A bare alias or an ExchangeGuid fails with
    /// advice instead of being guessed at.
    /// </summary>
    /// <exception cref="InboxException">The record has no usable address, or a malformed one.</exception>
    public MailboxTarget Resolve()
    {
        if (!string.IsNullOrWhiteSpace(PrimarySmtpAddress))
        {
            return new MailboxTarget(RequireAddress(PrimarySmtpAddress!, "PrimarySmtpAddress"), MailboxAddressKind.SmtpAddress);
        }

        if (!string.IsNullOrWhiteSpace(UserPrincipalName))
        {
            return new MailboxTarget(RequireAddress(UserPrincipalName!, "UserPrincipalName"), MailboxAddressKind.PrincipalName);
        }

        foreach (var candidate in new[] { Text, Identity })
        {
            if (!string.IsNullOrWhiteSpace(candidate) && candidate!.IndexOf('@') >= 0)
            {
                return new MailboxTarget(RequireAddress(candidate, "address"), MailboxAddressKind.SmtpAddress);
            }
        }

        if (Guid.TryParse(ExternalDirectoryObjectId, out var objectId))
        {
            return new MailboxTarget(objectId.ToString("D"), MailboxAddressKind.DirectoryObjectId);
        }

        var what = Describe();
        throw new InboxException("MailboxIdentityUnresolvable", InboxErrorKind.InvalidArgument,
            $"Cannot tell which mailbox '{what}' is: the record has no PrimarySmtpAddress, UserPrincipalName or e-mail address.",
            "Pipe Get-Mailbox / Get-EXOMailbox objects or e-mail addresses; for a CSV, give it an EmailAddress or UserPrincipalName column.",
            what);
    }

    private static string RequireAddress(string value, string property)
    {
        var trimmed = value.Trim();
        if (VisibleText.FindInvisible(trimmed) is { } invisible)
        {
            // Shown by code point: the character itself (a right-to-left override) would garble the console line.
            var shown = VisibleText.Show(trimmed);
            throw new InboxException("MailboxAddressInvalid", InboxErrorKind.InvalidArgument,
                $"'{shown}' ({property}) contains the invisible character {VisibleText.CodePoint(invisible)}; no mailbox address does.",
                "Remove the character from the input (it usually comes from a copied address or a CSV saved by another program) and run the command again for that record.",
                shown);
        }

        if (IsAddress(trimmed))
        {
            return trimmed;
        }

        throw new InboxException("MailboxAddressInvalid", InboxErrorKind.InvalidArgument,
            $"'{trimmed}' ({property}) is not a valid e-mail address.",
            "Correct the address in the input (for example user@contoso.com) and run the command again for that record.",
            trimmed);
    }

    internal static bool IsAddress(string value)
    {
        if (value.Length > 320 || value.IndexOf(' ') >= 0 || value.IndexOf('@') <= 0 || value.EndsWith("@", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var parsed = new MailAddress(value);
            return string.Equals(parsed.Address, value, StringComparison.OrdinalIgnoreCase) && parsed.Host.IndexOf('.') > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? FirstNonEmpty(params string?[] values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value!.Trim();
            }
        }

        return null;
    }
}
