using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

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
