namespace InboxPS.Core.Ews;

/// <summary>A sender or recipient (EWS EmailAddressType).</summary>
public sealed class EmailAddress
{
    public EmailAddress(string? name, string? address, string? routingType)
    {
        Name = name;
        Address = address;
        RoutingType = routingType;
    }

    public string? Name { get; }

    /// <summary>An SMTP address when <see cref="RoutingType"/> is SMTP; an Exchange legacy DN when it is EX.</summary>
    public string? Address { get; }

    public string? RoutingType { get; }

    public override string ToString() => Name is { Length: > 0 } ? $"{Name} <{Address}>" : Address ?? string.Empty;
}
