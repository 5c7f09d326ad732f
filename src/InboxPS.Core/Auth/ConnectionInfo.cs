using System;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Auth;

/// <summary>What Connect-InboxImpersonation and Get-InboxConnection output: a connection as an admin reads it.</summary>
public sealed class ConnectionInfo
{
    internal ConnectionInfo(InboxConnection connection)
    {
        Organization = connection.Organization.Name;
        AccessType = connection.Organization.AccessType;
        AuthType = connection.AuthType;
        SignInMethod = connection.Method;
        Account = connection.Account;
        AppId = connection.AppId;
        TenantId = connection.Organization.TenantId;
        Environment = connection.Organization.Environment;
        EwsUrl = connection.EwsUrl;
        ConnectedOn = connection.ConnectedOn;
        TokenExpiresOn = connection.TokenExpiresOn;
        TokenCachePath = connection.TokenCachePath;
        Status = connection.Status;
        Message = connection.Failure?.Message;
    }

    /// <summary>A saved sign-in that could not be restored: the organization needs a new Connect-InboxImpersonation.</summary>
    internal ConnectionInfo(OrganizationProfile organization, InboxException failure, string? tokenCachePath)
    {
        Organization = organization.Name;
        AccessType = organization.AccessType;
        AuthType = AuthType.Delegated;
        SignInMethod = SignInMethod.Interactive;
        Account = organization.ServiceAccount;
        AppId = organization.ClientId;
        TenantId = organization.TenantId;
        Environment = organization.Environment;
        EwsUrl = organization.EwsUrl;
        TokenCachePath = tokenCachePath;
        Status = ConnectionStatus.ReconnectRequired;
        Message = failure.Message;
    }

    public string Organization { get; }

    public AccessType AccessType { get; }

    public AuthType AuthType { get; }

    public SignInMethod SignInMethod { get; }

    public string? Account { get; }

    public string? AppId { get; }

    public string? TenantId { get; }

    public ExchangeEnvironment Environment { get; }

    public Uri? EwsUrl { get; }

    /// <summary>When this session signed in or restored the sign-in; null when it could not.</summary>
    public DateTimeOffset? ConnectedOn { get; }

    public DateTimeOffset? TokenExpiresOn { get; }

    /// <summary>The persisted token cache of a delegated sign-in; null when tokens stay in memory.</summary>
    public string? TokenCachePath { get; }

    public ConnectionStatus Status { get; }

    /// <summary>Why the connection needs attention, when it does.</summary>
    public string? Message { get; }

    /// <summary>
    /// The last refused sign-in, token or permission this organization met in this session ("ErrorId: message"), from
    /// Connect-InboxImpersonation or a sync; null when none. It stays after a later success, with its time.
    /// </summary>
    public string? LastAuthorizationFailure { get; internal set; }

    public DateTimeOffset? LastAuthorizationFailureOn { get; internal set; }

    public override string ToString() => $"{Organization}: {Status}";
}
