namespace InboxPS.Core.Auth;

/// <summary>What Get-InboxConnection says about a connection.</summary>
public enum ConnectionStatus
{
    /// <summary>Signed in; tokens are renewed as needed.</summary>
    Connected,

    /// <summary>A given access token expired; nothing can renew it.</summary>
    TokenExpired,

    /// <summary>The sign-in is gone (password changed, refresh token revoked, secret rotated): connect again.</summary>
    ReconnectRequired,
}
