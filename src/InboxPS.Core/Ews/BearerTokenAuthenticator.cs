using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews;

/// <summary>OAuth 2.0: asks the token source before every request (it caches), and once more with a refresh after a 401.</summary>
public sealed class BearerTokenAuthenticator : IEwsAuthenticator
{
    private readonly IAccessTokenSource _source;

    public BearerTokenAuthenticator(IAccessTokenSource source)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
    }

    public bool CanRetryUnauthorized => true;

    public async Task ApplyAsync(HttpRequestMessage request, bool afterUnauthorized, CancellationToken cancellationToken)
    {
        var token = await _source.GetTokenAsync(afterUnauthorized, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The access token source returned no token.");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    }

    /// <summary>A token is as good as a password to whoever reads it: plain http is refused except to this machine.</summary>
    public void Validate(Uri ewsUrl) => PlainHttpGuard.Require(ewsUrl, "BearerAuthRequiresHttps", "an access token");
}
