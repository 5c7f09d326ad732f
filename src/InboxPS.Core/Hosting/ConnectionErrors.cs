using System;

namespace InboxPS.Core.Hosting;

/// <summary>The error ids about an organization's connection, in one place.</summary>
public static class ConnectionErrors
{
    public const string NotConnectedId = "NotConnected";

    /// <summary>Work that needs the organization's sign-in found none.</summary>
    public static InboxException NotConnected(string organization) => new(NotConnectedId, InboxErrorKind.AuthenticationError,
        $"Organization '{organization}' is not connected: its service account has not signed in in this session.",
        $"Run Connect-InboxImpersonation -Organization '{organization}' first.", organization);

    /// <summary>Get-InboxConnection was asked for an organization by name that has no connection to show.</summary>
    public static InboxException NothingToShow(string organization, (string Failure, DateTimeOffset On)? lastFailure = null) =>
        new(NotConnectedId, InboxErrorKind.NotFound,
            lastFailure is { } last
                ? $"'{organization}' is not connected. Its last authorization failure ({last.On.ToLocalTime():yyyy-MM-dd HH:mm:ss}): {last.Failure}"
                : $"'{organization}' is not connected.",
            $"Run Connect-InboxImpersonation -Organization {organization}.", organization);
}
