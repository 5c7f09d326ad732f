using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

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
