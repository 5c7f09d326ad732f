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
