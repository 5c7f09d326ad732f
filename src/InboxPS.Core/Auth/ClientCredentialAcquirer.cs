using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

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
