using System;

namespace InboxPS.Core.Sync;

/// <summary>
/// A mailbox the engine will impersonate, by SMTP address or user principal name, and once the server has named it, its
/// stable id: the same mailbox reached by its UPN, an alias or a former primary address has one id and one roster entry.
/// </summary>
public sealed class MailboxTarget : IEquatable<MailboxTarget>
{
    public MailboxTarget(string address, MailboxAddressKind kind, string? mailboxId = null)
    {
        Address = address;
        Kind = kind;
        MailboxId = mailboxId;
    }

    public string Address { get; }

    public MailboxAddressKind Kind { get; }

    /// <summary>The id the server gives the mailbox whatever it is called (its inbox folder's id); null until known.</summary>
    public string? MailboxId { get; }

    /// <summary>The key the roster and de-duplication use: the address, case-insensitively.</summary>
    public string Key => Address.ToLowerInvariant();

    public bool Equals(MailboxTarget? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as MailboxTarget);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public override string ToString() => Address;
}
