using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Auth;

/// <summary>Fetches a token without asking anybody: MSAL's cache and refresh token, a credential, or a given token.</summary>
internal interface ITokenAcquirer
{
    /// <summary>A token; <paramref name="forceRefresh"/> skips MSAL's cache because the server refused the last one.</summary>
    /// <exception cref="InboxException">Translated failure (see <see cref="SignInErrors.ForRenewal"/>).</exception>
    Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken);
}
