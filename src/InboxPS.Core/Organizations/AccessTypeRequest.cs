using System;

namespace InboxPS.Core.Organizations;

/// <summary>What Set-InboxAccessType was asked to do; null members keep the organization's current value.</summary>
public sealed class AccessTypeRequest
{
    public AccessTypeRequest(string organization, AccessType accessType)
    {
        Organization = organization;
        AccessType = accessType;
    }

    public string Organization { get; }

    public AccessType AccessType { get; }

    public Uri? EwsUrl { get; set; }

    public ExchangeEnvironment? Environment { get; set; }

    /// <summary>A Graph endpoint other than the cloud's (a test endpoint); only for <see cref="AccessType.GraphAppOnly"/>.</summary>
    public Uri? GraphUrl { get; set; }
}
