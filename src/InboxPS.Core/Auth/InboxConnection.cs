using System;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Auth;

/// <summary>
/// A live, signed-in connection for one organization, usable from many threads. It holds what proves the sign-in, not how
/// a protocol sends it: <see cref="Tokens"/> (OAuth: renewed before expiry and once after a 401) or
/// <see cref="Password"/> (basic), which a protocol's authenticator turns into its own header.
/// </summary>
public sealed class InboxConnection : IDisposable
{
    private readonly RenewingTokenSource? _tokens;

    private InboxConnection(OrganizationProfile organization, RenewingTokenSource? tokens, PasswordCredential? password,
        SignInMethod method, string? account, string? appId, string? tokenCachePath, HttpStack http)
    {
        Organization = organization;
        Http = http;
        _tokens = tokens;
        Password = password;
        Method = method;
        Account = account;
        AppId = appId;
        TokenCachePath = tokenCachePath;
        EwsUrl = organization.EwsUrl ?? throw new ArgumentException($"The organization '{organization.Name}' has no EWS URL.", nameof(organization));
        ConnectedOn = DateTimeOffset.UtcNow;
    }

    public OrganizationProfile Organization { get; }

    /// <summary>How every request of this connection (sign-in, EWS, Graph) reaches the network; owned by the connection.</summary>
    public HttpStack Http { get; }

    /// <summary>The OAuth tokens of the sign-in; null for basic authentication.</summary>
    public IAccessTokenSource? Tokens => _tokens;

    /// <summary>The service account's credential of a basic sign-in; null for OAuth.</summary>
    public PasswordCredential? Password { get; }

    public Uri EwsUrl { get; }

    public SignInMethod Method { get; }

    public AuthType AuthType => Method switch
    {
        SignInMethod.Interactive or SignInMethod.DeviceCode => AuthType.Delegated,
        SignInMethod.Credential => AuthType.Basic,
        SignInMethod.AccessToken when Account is not null => AuthType.Delegated,
        _ => AuthType.AppOnly,
    };

    /// <summary>The signed-in service account (delegated, basic); null for app-only sign-ins.</summary>
    public string? Account { get; }

    /// <summary>The app registration (client id) or managed identity the tokens were issued to.</summary>
    public string? AppId { get; }

    /// <summary>Where a delegated sign-in's token cache is persisted; null when tokens stay in memory.</summary>
    public string? TokenCachePath { get; }

    public DateTimeOffset ConnectedOn { get; }

    /// <summary>When the current access token expires; null for basic authentication and opaque tokens.</summary>
    public DateTimeOffset? TokenExpiresOn =>
        _tokens is null || _tokens.Current.ExpiresOn == DateTimeOffset.MaxValue ? null : _tokens.Current.ExpiresOn;

    /// <summary>The error that ended the sign-in, if one did (ErrorId ReconnectServiceAccount).</summary>
    public InboxException? Failure => _tokens?.Failure;

    public ConnectionStatus Status =>
        Failure is not null ? ConnectionStatus.ReconnectRequired
        : Method == SignInMethod.AccessToken && TokenExpiresOn is { } expires && expires <= DateTimeOffset.UtcNow ? ConnectionStatus.TokenExpired
        : ConnectionStatus.Connected;

    internal static InboxConnection ForOAuth(OrganizationProfile organization, SignInMethod method, OAuthSignIn signIn,
        SignInTransport transport, string? tokenCachePath, HttpStack http)
    {
        var tokens = new RenewingTokenSource(signIn.Acquirer, signIn.Token, transport.Clock);
        return new InboxConnection(organization, tokens, null, method, signIn.Account, signIn.AppId, tokenCachePath, http);
    }

    internal static InboxConnection ForBasic(OrganizationProfile organization, PasswordCredential password, HttpStack http) =>
        new(organization, null, password, SignInMethod.Credential, password.UserName, null, null, http);

    /// <summary>A snapshot for Get-InboxConnection, free of MSAL types and secrets.</summary>
    public ConnectionInfo Describe() => new(this);

    public void Dispose()
    {
        Password?.Dispose();
        Http.Dispose();
    }

    public override string ToString() => $"{Organization.Name} ({AuthType}, {Status})";
}
