using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core;

/// <summary>Where bearer tokens come from (MSAL, a managed identity, a given token). Implementations cache.</summary>
public interface IAccessTokenSource
{
    /// <summary>
    /// A valid token, from cache when it can be; <paramref name="forceRefresh"/> is true after the server refused the
    /// cached one with 401, and asks for a new one.
    /// </summary>
    Task<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}
