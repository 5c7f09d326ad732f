using InboxPS.Core.Auth;
using InboxPS.Core.Ews;

namespace InboxPS.Core.Tests.Auth;

/// <summary>
/// Tokens that live less than twice the five-minute renewal margin (a one-minute token in the soak campaign, short
/// lifetimes set by policy) are renewed at half their life, not on every request: before, every EWS request of every
/// worker asked the identity provider for a new token.
/// </summary>
public sealed class ShortLivedTokenRenewalTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private DateTimeOffset _now = s_start;
    private int _calls;

    [Fact]
    public async Task A_renewed_one_minute_token_is_used_for_half_its_life_then_renewed_once()
    {
        var source = new RenewingTokenSource(new Acquirer(this, TimeSpan.FromMinutes(1)), new AccessToken("first", s_start.AddMinutes(1)), () => _now);

        var renewed = await source.GetTokenAsync(forceRefresh: false, CancellationToken.None);
        _now = s_start.AddSeconds(29);
        var stillRenewed = await source.GetTokenAsync(false, CancellationToken.None);
        _now = s_start.AddSeconds(31);
        var next = await source.GetTokenAsync(false, CancellationToken.None);

        Assert.Equal("token1", renewed.Token);
        Assert.Same(renewed, stillRenewed);
        Assert.Equal("token2", next.Token);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task A_renewed_hour_long_token_keeps_the_five_minute_margin()
    {
        var source = new RenewingTokenSource(new Acquirer(this, TimeSpan.FromHours(1)), new AccessToken("first", s_start), () => _now);

        var renewed = await source.GetTokenAsync(false, CancellationToken.None);
        _now = s_start.AddMinutes(54);
        Assert.Same(renewed, await source.GetTokenAsync(false, CancellationToken.None));
        _now = s_start.AddMinutes(56);

        Assert.Equal("token2", (await source.GetTokenAsync(false, CancellationToken.None)).Token);
        Assert.Equal(2, _calls);
    }

    [Theory]
    [InlineData(60, 30)]
    [InlineData(600, 300)]
    [InlineData(3600, 300)]
    [InlineData(-10, 0)]
    public void The_margin_is_five_minutes_or_half_the_lifetime_whichever_is_less(int lifetimeSeconds, int marginSeconds)
    {
        var token = new AccessToken("t", s_start.AddSeconds(lifetimeSeconds));

        Assert.Equal(TimeSpan.FromSeconds(marginSeconds), TokenLifetime.MarginFor(token, s_start));
    }

    private sealed class Acquirer : ITokenAcquirer
    {
        private readonly ShortLivedTokenRenewalTests _test;
        private readonly TimeSpan _lifetime;

        public Acquirer(ShortLivedTokenRenewalTests test, TimeSpan lifetime)
        {
            _test = test;
            _lifetime = lifetime;
        }

        public Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _test._calls);
            return Task.FromResult(new AccessToken("token" + call, _test._now + _lifetime));
        }
    }
}
