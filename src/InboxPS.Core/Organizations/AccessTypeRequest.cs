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

    /// <summary>The proxy to go through from now on; null keeps the current one (see <see cref="UseSystemProxy"/>).</summary>
    public Uri? Proxy { get; set; }

    /// <summary>True to forget the organization's proxy and take the system's again.</summary>
    public bool UseSystemProxy { get; set; }

    public bool? ProxyUseDefaultCredentials { get; set; }
}
