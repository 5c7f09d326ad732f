using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

/// <summary>Runs one MSAL call for a live connection and translates its failure for the renewal path.</summary>
internal abstract class MsalAcquirer : ITokenAcquirer
{
    private readonly string _organization;
    private readonly IReadOnlyCollection<string> _secrets;

    protected MsalAcquirer(string organization, IReadOnlyCollection<string> secrets)
    {
        _organization = organization;
        _secrets = secrets;
    }

    public async Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            return ToAccessToken(await ExecuteAsync(forceRefresh, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is MsalException or System.Net.Http.HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw SignInErrors.ForRenewal(e, _organization, _secrets);
        }
    }

    /// <summary>The first token of a new sign-in; MSAL's own exception escapes, to be explained as a sign-in failure.</summary>
    public async Task<AccessToken> FirstAsync(CancellationToken cancellationToken) =>
        ToAccessToken(await ExecuteAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false));

    public static AccessToken ToAccessToken(AuthenticationResult result) => new(result.AccessToken, result.ExpiresOn);

    protected abstract Task<AuthenticationResult> ExecuteAsync(bool forceRefresh, CancellationToken cancellationToken);
}

/// <summary>A delegated sign-in: silent renewal from MSAL's (persisted) cache with the refresh token.</summary>
internal sealed class DelegatedAcquirer : MsalAcquirer
{
    private readonly IPublicClientApplication _app;
    private readonly IAccount _account;
    private readonly string[] _scopes;

    public DelegatedAcquirer(string organization, IPublicClientApplication app, IAccount account, string[] scopes)
        : base(organization, Array.Empty<string>())
    {
        _app = app;
        _account = account;
        _scopes = scopes;
    }

    protected override Task<AuthenticationResult> ExecuteAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenSilent(_scopes, _account).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);
}

/// <summary>An app-only sign-in with a secret or certificate (client-credentials flow); tokens stay in memory.</summary>
internal sealed class ClientCredentialAcquirer : MsalAcquirer
{
    private readonly IConfidentialClientApplication _app;
    private readonly string[] _scopes;

    public ClientCredentialAcquirer(string organization, IConfidentialClientApplication app, string[] scopes, IReadOnlyCollection<string> secrets)
        : base(organization, secrets)
    {
        _app = app;
        _scopes = scopes;
    }

    protected override Task<AuthenticationResult> ExecuteAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenForClient(_scopes).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);
}

/// <summary>An app-only sign-in as the Azure managed identity of the machine, function or runbook.</summary>
internal sealed class ManagedIdentityAcquirer : MsalAcquirer
{
    private readonly IManagedIdentityApplication _app;
    private readonly string _resource;

    public ManagedIdentityAcquirer(string organization, IManagedIdentityApplication app, string resource)
        : base(organization, Array.Empty<string>())
    {
        _app = app;
        _resource = resource;
    }

    protected override Task<AuthenticationResult> ExecuteAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        _app.AcquireTokenForManagedIdentity(_resource).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken);
}

/// <summary>A token the admin obtained elsewhere: good until it expires or Exchange refuses it, then nothing can renew it.</summary>
internal sealed class GivenTokenAcquirer : ITokenAcquirer
{
    private readonly string _organization;
    private readonly AccessToken _token;
    private readonly Func<DateTimeOffset> _clock;

    public GivenTokenAcquirer(string organization, AccessToken token, Func<DateTimeOffset> clock)
    {
        _organization = organization;
        _token = token;
        _clock = clock;
    }

    public Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (forceRefresh)
        {
            throw SignInErrors.Reconnect(_organization,
                $"Exchange refused the access token given to Connect-InboxImpersonation for '{_organization}', and a given token cannot be refreshed.");
        }

        if (!TokenLifetime.IsValidFor(_token, TimeSpan.Zero, _clock()))
        {
            throw SignInErrors.Reconnect(_organization,
                $"The access token given to Connect-InboxImpersonation for '{_organization}' expired at {_token.ExpiresOn:u}; a given token cannot be refreshed. " +
                "Connect with a certificate, secret or managed identity to let InboxPS renew tokens itself.");
        }

        return Task.FromResult(_token);
    }
}
