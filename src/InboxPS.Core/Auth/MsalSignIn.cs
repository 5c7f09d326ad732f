using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Organizations;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;
using Microsoft.Identity.Client.Extensibility;

namespace InboxPS.Core.Auth;

/// <summary>Every OAuth sign-in mode of Connect-InboxImpersonation, through MSAL, plus the silent restore of a saved one.</summary>
internal static class MsalSignIn
{
    private const string LoopbackRedirect = "http://localhost";

    public static async Task<OAuthSignIn> SignInAsync(OrganizationProfile profile, SignInRequest request, TokenCacheFile cacheFile,
        SignInTransport transport, HttpStack http, CancellationToken cancellationToken)
    {
        var secrets = new List<string>();
        try
        {
            var settings = OAuthSettings.For(profile);
            return request.Method switch
            {
                SignInMethod.Interactive or SignInMethod.DeviceCode =>
                    await DelegatedAsync(profile, request, settings, cacheFile, transport, http, cancellationToken).ConfigureAwait(false),
                SignInMethod.ClientSecret or SignInMethod.Certificate =>
                    await ClientCredentialsAsync(profile, request, settings, transport, http, secrets, cancellationToken).ConfigureAwait(false),
                SignInMethod.ManagedIdentity =>
                    await ManagedIdentityAsync(profile, request, settings, transport, http, cancellationToken).ConfigureAwait(false),
                SignInMethod.AccessToken => GivenToken(profile, request, transport, secrets),
                _ => throw new ArgumentOutOfRangeException(nameof(request), request.Method, "Not an OAuth sign-in."),
            };
        }
        catch (Exception e) when (e is not InboxException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw SignInErrors.ForSignIn(e, profile, request.Method, secrets);
        }
    }

    /// <summary>
    /// Rebuilds a delegated sign-in from its persisted cache without a prompt, or returns null when none was saved.
    /// </summary>
    /// <exception cref="InboxException">ReconnectServiceAccount: the saved sign-in no longer works.</exception>
    public static async Task<OAuthSignIn?> RestoreAsync(OrganizationProfile profile, TokenCacheFile cacheFile, SignInTransport transport,
        HttpStack http, CancellationToken cancellationToken)
    {
        if (profile.AccessType != AccessType.OAuthImpersonation || string.IsNullOrEmpty(profile.ClientId) || !cacheFile.Exists)
        {
            return null;
        }

        var settings = OAuthSettings.For(profile);
        var app = PublicClient(settings, transport, http);
        cacheFile.Bind(app.UserTokenCache);
        var accounts = (await app.GetAccountsAsync().ConfigureAwait(false)).ToList();
        var account = accounts.FirstOrDefault(a => string.Equals(a.Username, profile.ServiceAccount, StringComparison.OrdinalIgnoreCase))
            ?? accounts.FirstOrDefault();
        if (account is null)
        {
            return null;
        }

        var acquirer = new DelegatedAcquirer(profile.Name, app, account, settings.DelegatedScopes);
        var token = await acquirer.AcquireAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        return new OAuthSignIn(acquirer, token, account.Username, settings.ClientId);
    }

    private static async Task<OAuthSignIn> DelegatedAsync(OrganizationProfile profile, SignInRequest request, OAuthSettings settings,
        TokenCacheFile cacheFile, SignInTransport transport, HttpStack http, CancellationToken cancellationToken)
    {
        RequireClientId(profile, settings);
        var app = PublicClient(settings, transport, http);
        cacheFile.Bind(app.UserTokenCache);
        var scopes = settings.DelegatedScopes;
        AuthenticationResult result;
        if (request.Method == SignInMethod.DeviceCode)
        {
            result = await app.AcquireTokenWithDeviceCode(scopes, code =>
                    request.DeviceCodeMessage?.Invoke(code.Message, cancellationToken) ?? Task.CompletedTask)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var interactive = app.AcquireTokenInteractive(scopes).WithPrompt(Prompt.SelectAccount).WithUseEmbeddedWebView(false);
            if (!string.IsNullOrWhiteSpace(profile.ServiceAccount))
            {
                interactive = interactive.WithLoginHint(profile.ServiceAccount);
            }

            if (transport.WebUi is { } webUi)
            {
                interactive = interactive.WithCustomWebUi(webUi);
            }

            result = await interactive.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }

        var acquirer = new DelegatedAcquirer(profile.Name, app, result.Account, scopes);
        return new OAuthSignIn(acquirer, MsalAcquirer.ToAccessToken(result), result.Account.Username, settings.ClientId);
    }

    private static async Task<OAuthSignIn> ClientCredentialsAsync(OrganizationProfile profile, SignInRequest request, OAuthSettings settings,
        SignInTransport transport, HttpStack http, List<string> secrets, CancellationToken cancellationToken)
    {
        RequireClientId(profile, settings);
        RequireTenant(profile, settings);
        var builder = ConfidentialClientApplicationBuilder.Create(settings.ClientId);
        builder = WithAuthority(builder, settings);
        builder = builder.WithHttpClientFactory(transport.MsalClientsFor(http));
        if (request.Method == SignInMethod.ClientSecret)
        {
            var secret = Secrets.Reveal(request.ClientSecret ?? throw new ArgumentException("A client secret sign-in needs the secret.", nameof(request)));
            secrets.Add(secret);
            builder = builder.WithClientSecret(secret);
        }
        else
        {
            var certificate = request.Certificate ?? throw new ArgumentException("A certificate sign-in needs the certificate.", nameof(request));
            builder = builder.WithCertificate(CertificateLoader.RequirePrivateKey(certificate, profile.Name));
        }

        var acquirer = new ClientCredentialAcquirer(profile.Name, builder.Build(), settings.AppOnlyScopes, secrets);
        var token = await acquirer.FirstAsync(cancellationToken).ConfigureAwait(false);
        return new OAuthSignIn(acquirer, token, null, settings.ClientId);
    }

    private static async Task<OAuthSignIn> ManagedIdentityAsync(OrganizationProfile profile, SignInRequest request, OAuthSettings settings,
        SignInTransport transport, HttpStack http, CancellationToken cancellationToken)
    {
        var accountId = request.ManagedIdentityAccountId?.Trim();
        var identity = string.IsNullOrEmpty(accountId) ? ManagedIdentityId.SystemAssigned
            : accountId!.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) ? ManagedIdentityId.WithUserAssignedResourceId(accountId)
            : ManagedIdentityId.WithUserAssignedClientId(accountId);
        var builder = ManagedIdentityApplicationBuilder.Create(identity);
        builder = builder.WithHttpClientFactory(transport.MsalClientsFor(http));
        var acquirer = new ManagedIdentityAcquirer(profile.Name, builder.Build(), settings.Resource);
        AccessToken token;
        try
        {
            token = await acquirer.FirstAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MsalException e) when (e.ErrorCode.StartsWith("managed_identity", StringComparison.Ordinal) || e is MsalClientException)
        {
            throw new InboxException("ManagedIdentityUnavailable", InboxErrorKind.AuthenticationError,
                $"No managed identity answered for '{profile.Name}': {e.Message.Split('\n')[0].Trim()}",
                "Run where an Azure managed identity is enabled (Automation account, VM, Function), and give -ManagedIdentityAccountId for a user-assigned one.",
                profile.Name);
        }

        return new OAuthSignIn(acquirer, token, null, JwtClaims.TryRead(token.Token)?.AppId ?? accountId);
    }

    private static OAuthSignIn GivenToken(OrganizationProfile profile, SignInRequest request, SignInTransport transport, List<string> secrets)
    {
        var value = Secrets.Reveal(request.AccessToken ?? throw new ArgumentException("An access-token sign-in needs the token.", nameof(request))).Trim();
        secrets.Add(value);
        var claims = JwtClaims.TryRead(value);
        // An opaque token does not say when it expires: it is used until Exchange refuses it.
        var token = new AccessToken(value, claims?.ExpiresOn ?? DateTimeOffset.MaxValue);
        if (!TokenLifetime.IsValidFor(token, TimeSpan.Zero, transport.Clock()))
        {
            throw new InboxException("AccessTokenExpired", InboxErrorKind.AuthenticationError,
                $"The access token given for '{profile.Name}' expired at {token.ExpiresOn:u}.",
                "Get a new token, or connect with a certificate, secret or managed identity so InboxPS can renew tokens itself.", profile.Name);
        }

        return new OAuthSignIn(new GivenTokenAcquirer(profile.Name, token, transport.Clock), token, claims?.Account, claims?.AppId);
    }

    private static IPublicClientApplication PublicClient(OAuthSettings settings, SignInTransport transport, HttpStack http)
    {
        var builder = WithAuthority(PublicClientApplicationBuilder.Create(settings.ClientId), settings).WithRedirectUri(LoopbackRedirect);
        builder = builder.WithHttpClientFactory(transport.MsalClientsFor(http));
        return builder.Build();
    }

    private static T WithAuthority<T>(T builder, OAuthSettings settings) where T : AbstractApplicationBuilder<T>
    {
        builder = builder.WithAuthority(settings.Authority, validateAuthority: !settings.IsCustomAuthority);
        return settings.IsCustomAuthority ? builder.WithInstanceDiscovery(false) : builder;
    }

    private static void RequireClientId(OrganizationProfile profile, OAuthSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.ClientId))
        {
            throw new InboxException("ClientIdRequired", InboxErrorKind.InvalidArgument,
                $"Signing in for '{profile.Name}' needs the app registration's Application (client) ID.",
                "Add -ClientId <application id> (it is remembered for the next connection).", profile.Name);
        }
    }

    private static void RequireTenant(OrganizationProfile profile, OAuthSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.TenantId))
        {
            throw new InboxException("TenantIdRequired", InboxErrorKind.InvalidArgument,
                $"An app-only sign-in for '{profile.Name}' must name the tenant.",
                "Add -TenantId <tenant id or domain, e.g. contoso.onmicrosoft.com>.", profile.Name);
        }
    }
}
