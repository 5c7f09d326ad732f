using InboxPS.Core;

namespace InboxPS.Benchmarks;

/// <summary>One token for every request: sign-in is no part of what the benchmarks measure.</summary>
internal sealed class FixedToken : IAccessTokenSource
{
    private readonly AccessToken _token;

    public FixedToken(AccessToken token) => _token = token;

    public Task<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken) => Task.FromResult(_token);
}
