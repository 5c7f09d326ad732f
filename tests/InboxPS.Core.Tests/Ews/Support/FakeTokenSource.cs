using InboxPS.Core.Ews;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>Hands out "token-1", "token-2"... and records whether each request asked for a refresh.</summary>
internal sealed class FakeTokenSource : IAccessTokenSource
{
    private int _issued;

    public List<bool> Calls { get; } = new();

    public string Current => $"token-{Math.Max(_issued, 1)}";

    public Task<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(forceRefresh);
            if (_issued == 0 || forceRefresh)
            {
                _issued++;
            }

            return Task.FromResult(new AccessToken($"token-{_issued}", DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
