using System;

namespace InboxPS.Core.Sync;

/// <summary>A mailbox the engine will impersonate, by SMTP address or user principal name.</summary>
public sealed class MailboxTarget : IEquatable<MailboxTarget>
{
    public MailboxTarget(string address, MailboxAddressKind kind)
    {
        Address = address;
        Kind = kind;
    }

    public string Address { get; }

    public MailboxAddressKind Kind { get; }

    /// <summary>The key the roster and de-duplication use: the address, case-insensitively.</summary>
    public string Key => Address.ToLowerInvariant();

    public bool Equals(MailboxTarget? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as MailboxTarget);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public override string ToString() => Address;
}
