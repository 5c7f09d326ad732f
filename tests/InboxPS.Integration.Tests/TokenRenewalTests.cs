using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Integration.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>
/// Living connections: tokens renewed after they expire and once after a 401, and a revoked sign-in ending in one
/// reconnect error. Runs against its own simulator, whose tokens live two seconds.
/// </summary>
public sealed class TokenRenewalTests : IClassFixture<SimulatedTenant>
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromSeconds(2);
    private readonly SimulatedTenant _tenant;

    public TokenRenewalTests(SimulatedTenant tenant)
    {
        _tenant = tenant;
        _tenant.Simulator.Control.TokenLifetime = s_lifetime;
    }

    [Fact]
    public async Task A_delegated_token_is_renewed_with_the_refresh_token_after_it_expires()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.Interactive));
        var firstExpiry = connection.TokenExpiresOn!.Value;
        var refreshes = Grants("refresh_token");

        await WaitUntilAfter(firstExpiry);
        await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant));

        Assert.True(connection.TokenExpiresOn > firstExpiry);
        Assert.Equal(refreshes + 1, Grants("refresh_token"));
        Assert.Equal(ConnectionStatus.Connected, connection.Status);
    }

    [Fact]
    public async Task An_app_only_token_is_fetched_again_after_it_expires()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        var connection = await ConnectAsync(org, AppOnly());
        var firstExpiry = connection.TokenExpiresOn!.Value;
        var fetches = Grants("client_credentials");

        await WaitUntilAfter(firstExpiry);
        await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant));

        Assert.True(connection.TokenExpiresOn > firstExpiry);
        Assert.Equal(fetches + 1, Grants("client_credentials"));
    }

    [Fact]
    public async Task A_401_for_a_token_the_client_still_trusted_renews_it_once_and_the_call_succeeds()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        // The client's clock runs an hour behind: it believes the token is fresh, Exchange knows it expired.
        var transport = _tenant.Transport(() => DateTimeOffset.UtcNow.AddHours(-1));
        var connection = await org.ConnectAsync(AppOnly(), transport);
        var firstExpiry = connection.TokenExpiresOn!.Value;
        var fetches = Grants("client_credentials");

        // The server's expiry can lie up to a second after the client's (it rounds up to whole seconds).
        await WaitUntilAfter(firstExpiry.AddSeconds(1));
        await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant));

        Assert.Equal(fetches + 1, Grants("client_credentials"));
        Assert.True(connection.TokenExpiresOn > firstExpiry);
    }

    [Fact]
    public async Task A_revoked_refresh_token_gives_every_worker_the_same_single_reconnect_error()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.Interactive));
        await WaitUntilAfter(connection.TokenExpiresOn!.Value);
        _tenant.Simulator.Control.RevokeRefreshTokens(_tenant.Simulator.ServiceAccount);
        var refreshes = Grants("refresh_token");

        var workers = Enumerable.Range(0, 8).Select(_ => Record(() => EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant)))).ToList();
        var errors = await Task.WhenAll(workers);

        var first = Assert.IsType<InboxException>(errors[0]);
        Assert.All(errors, e => Assert.Same(first, e));
        Assert.Equal("ReconnectServiceAccount", first.ErrorId);
        Assert.Equal(InboxErrorKind.AuthenticationError, first.Kind);
        Assert.Equal($"Run Connect-InboxImpersonation -Organization {org.Organization} again to sign the service account in.", first.RecommendedAction);
        Assert.Equal(refreshes + 1, Grants("refresh_token"));
        Assert.Equal(ConnectionStatus.ReconnectRequired, connection.Status);
    }

    [Fact]
    public async Task A_later_session_finds_the_saved_sign_in_revoked_and_says_so_once()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.Interactive));
        org.NewSession();
        await WaitUntilAfter(connection.TokenExpiresOn!.Value);
        _tenant.Simulator.Control.ChangeServiceAccountPassword("N3w-Passw0rd!" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<InboxException>(() => org.Connections.Find(org.Organization));
        var described = await org.Connections.DescribeAsync(org.Store.GetOrganization(org.Organization)!, CancellationToken.None);

        Assert.Equal("ReconnectServiceAccount", error.ErrorId);
        Assert.Contains("password changed", error.Message);
        Assert.Equal(ConnectionStatus.ReconnectRequired, described!.Status);
        Assert.Null(org.Registry.FindLive(org.Organization));
    }

    private SignInRequest AppOnly() => new(SignInMethod.ClientSecret)
    {
        ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret),
        ServiceAccount = EwsProbe.FirstUser(_tenant),
    };

    private long Grants(string grant) =>
        _tenant.Simulator.Control.Metrics.TokenRequestsByGrant.TryGetValue(grant, out var count) ? count : 0;

    private Task<InboxConnection> ConnectAsync(SimulatedTenant.TenantStore org, SignInRequest request) =>
        org.ConnectAsync(request, _tenant.Transport());

    // Tokens carry whole seconds; waiting past the expiry is the only way to get the server to refuse one.
    private static async Task WaitUntilAfter(DateTimeOffset expiry)
    {
        while (DateTimeOffset.UtcNow <= expiry.AddMilliseconds(200))
        {
            await Task.Delay(100);
        }
    }

    private static async Task<Exception?> Record(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
