using InboxPS.Core.Auth;
using InboxPS.Core.Ews;

namespace InboxPS.Core.Tests.Auth;

public sealed class RenewingTokenSourceTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private DateTimeOffset _now = s_start;

    [Fact]
    public async Task A_fresh_token_is_handed_out_without_asking_the_identity_provider()
    {
        var acquirer = new CountingAcquirer(() => Token("renewed", _now.AddHours(1)));
        var source = new RenewingTokenSource(acquirer, Token("first", s_start.AddHours(1)), () => _now);

        _now = s_start.AddMinutes(54);
        var token = await source.GetTokenAsync(forceRefresh: false, CancellationToken.None);

        Assert.Equal("first", token.Token);
        Assert.Equal(0, acquirer.Calls);
    }

    [Fact]
    public async Task A_token_within_five_minutes_of_expiry_is_renewed_once()
    {
        var acquirer = new CountingAcquirer(() => Token("renewed", _now.AddHours(1)));
        var source = new RenewingTokenSource(acquirer, Token("first", s_start.AddHours(1)), () => _now);

        _now = s_start.AddMinutes(56);
        var renewed = await source.GetTokenAsync(false, CancellationToken.None);
        var again = await source.GetTokenAsync(false, CancellationToken.None);

        Assert.Equal("renewed", renewed.Token);
        Assert.Same(renewed, again);
        Assert.Equal(1, acquirer.Calls);
        Assert.False(acquirer.LastForced);
    }

    [Fact]
    public async Task Many_workers_refused_with_401_at_once_cause_one_forced_renewal()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acquirer = new CountingAcquirer(() => Token("renewed", _now.AddHours(1)), release.Task);
        var source = new RenewingTokenSource(acquirer, Token("first", s_start.AddHours(1)), () => _now);

        var workers = Enumerable.Range(0, 16).Select(_ => source.GetTokenAsync(forceRefresh: true, CancellationToken.None)).ToList();
        release.SetResult();
        var tokens = await Task.WhenAll(workers);

        Assert.All(tokens, t => Assert.Equal("renewed", t.Token));
        Assert.Equal(1, acquirer.Calls);
        Assert.True(acquirer.LastForced);
    }

    [Fact]
    public async Task A_revoked_sign_in_fails_every_caller_with_the_same_single_error_and_is_not_retried()
    {
        var reconnect = new InboxException("ReconnectServiceAccount", InboxErrorKind.AuthenticationError, "gone", "Run Connect-InboxImpersonation -Organization contoso again");
        var acquirer = new CountingAcquirer(() => throw reconnect);
        var source = new RenewingTokenSource(acquirer, Token("first", s_start.AddMinutes(2)), () => _now);

        var first = await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(false, CancellationToken.None));
        var second = await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(false, CancellationToken.None));
        var forced = await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(true, CancellationToken.None));

        Assert.Same(reconnect, first);
        Assert.Same(reconnect, second);
        Assert.Same(reconnect, forced);
        Assert.Same(reconnect, source.Failure);
        Assert.Equal(1, acquirer.Calls);
    }

    [Fact]
    public async Task While_the_identity_provider_is_briefly_down_a_still_valid_token_keeps_working()
    {
        var outage = new InboxException("IdentityProviderUnavailable", InboxErrorKind.ResourceUnavailable, "down");
        var acquirer = new CountingAcquirer(() => throw outage);
        var source = new RenewingTokenSource(acquirer, Token("first", s_start.AddMinutes(4)), () => _now);

        var token = await source.GetTokenAsync(false, CancellationToken.None);

        Assert.Equal("first", token.Token);
        Assert.Null(source.Failure);
        _now = s_start.AddMinutes(3);
        Assert.Equal("first", (await source.GetTokenAsync(false, CancellationToken.None)).Token);
        Assert.Equal(2, acquirer.Calls);
    }

    [Fact]
    public async Task Once_the_token_has_expired_an_outage_is_reported()
    {
        var outage = new InboxException("IdentityProviderUnavailable", InboxErrorKind.ResourceUnavailable, "down");
        var source = new RenewingTokenSource(new CountingAcquirer(() => throw outage), Token("first", s_start.AddMinutes(-1)), () => _now);

        Assert.Same(outage, await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(false, CancellationToken.None)));
        Assert.Null(source.Failure);
    }

    [Fact]
    public async Task A_given_token_is_used_until_it_expires_then_asks_for_a_reconnect()
    {
        var given = Token("given", s_start.AddMinutes(30));
        var source = new RenewingTokenSource(new GivenTokenAcquirer("contoso", given, () => _now), given, () => _now);

        _now = s_start.AddMinutes(28);
        Assert.Same(given, await source.GetTokenAsync(false, CancellationToken.None));

        _now = s_start.AddMinutes(31);
        var error = await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(false, CancellationToken.None));
        Assert.Equal("ReconnectServiceAccount", error.ErrorId);
        Assert.Contains("cannot be refreshed", error.Message);
        Assert.Contains("Connect-InboxImpersonation -Organization contoso", error.RecommendedAction);
    }

    [Fact]
    public async Task A_given_token_refused_by_exchange_cannot_be_refreshed()
    {
        var given = Token("secret-token-value", s_start.AddMinutes(30));
        var source = new RenewingTokenSource(new GivenTokenAcquirer("contoso", given, () => _now), given, () => _now);

        var error = await Assert.ThrowsAsync<InboxException>(() => source.GetTokenAsync(forceRefresh: true, CancellationToken.None));

        Assert.Equal("ReconnectServiceAccount", error.ErrorId);
        Assert.Contains("cannot be refreshed", error.Message);
        Assert.DoesNotContain("secret-token-value", error.Message, StringComparison.Ordinal);
    }

    private static AccessToken Token(string value, DateTimeOffset expires) => new(value, expires);

    private sealed class CountingAcquirer : ITokenAcquirer
    {
        private readonly Func<AccessToken> _next;
        private readonly Task _gate;
        private int _calls;

        public CountingAcquirer(Func<AccessToken> next, Task? gate = null)
        {
            _next = next;
            _gate = gate ?? Task.CompletedTask;
        }

        public int Calls => Volatile.Read(ref _calls);

        public bool LastForced { get; private set; }

        public async Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            LastForced = forceRefresh;
            await _gate;
            return _next();
        }
    }
}
