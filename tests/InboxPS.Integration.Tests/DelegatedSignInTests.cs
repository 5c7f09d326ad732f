using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Integration.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>Delegated sign-ins of the service account (OAuthImpersonation) through real MSAL, and their persisted cache.</summary>
public sealed class DelegatedSignInTests : IClassFixture<SimulatedTenant>
{
    private readonly SimulatedTenant _tenant;

    public DelegatedSignInTests(SimulatedTenant tenant) => _tenant = tenant;

    [Fact]
    public async Task A_device_code_approved_on_another_device_connects_the_service_account()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var messages = new List<string>();
        var request = new SignInRequest(SignInMethod.DeviceCode)
        {
            DeviceCodeMessage = (message, _) =>
            {
                messages.Add(message);
                var userCode = message.Split(' ').SkipWhile(w => w != "code").Skip(1).First();
                Assert.True(_tenant.Simulator.Control.ApproveDeviceCode(userCode));
                return Task.CompletedTask;
            },
        };

        var connection = await ConnectAsync(org, request);

        Assert.Contains("/devicelogin", Assert.Single(messages));
        Assert.Equal(AuthType.Delegated, connection.AuthType);
        Assert.Equal(_tenant.Simulator.ServiceAccount, connection.Account, ignoreCase: true);
        Assert.Equal(_tenant.Simulator.ServiceAccount, org.Store.GetOrganization(org.Organization)!.ServiceAccount, ignoreCase: true);
        Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant))).DisplayName);
    }

    [Fact]
    public async Task An_interactive_sign_in_runs_the_authorization_code_flow_and_saves_an_owner_only_cache()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var transport = _tenant.Transport();

        var connection = await org.ConnectAsync(new SignInRequest(SignInMethod.Interactive) { ServiceAccount = _tenant.Simulator.ServiceAccount }, transport);

        Assert.Equal(1, ((HeadlessBrowser)transport.WebUi!).Visits);
        Assert.Equal(SignInMethod.Interactive, connection.Method);
        Assert.NotNull(connection.TokenCachePath);
        Assert.True(File.Exists(connection.TokenCachePath));
        Assert.Equal(Path.GetFullPath(org.TokensFolder), Path.GetDirectoryName(connection.TokenCachePath));
        Assert.Single(Directory.GetFiles(org.TokensFolder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(connection.TokenCachePath!));
        }

        // The store never holds a token: only the owner-only cache does.
        var token = await EwsProbe.BearerTokenOf(connection);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(org.Store.Location)!))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            Assert.DoesNotContain(token, await reader.ReadToEndAsync());
        }
    }

    [Fact]
    public async Task A_later_session_restores_the_saved_sign_in_without_a_prompt()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        var first = await ConnectInteractivelyAsync(org);
        var grantsBefore = RefreshGrants();
        var transport = _tenant.Transport();
        org.NewSession(transport);

        var restored = org.Connections.Find(org.Organization);

        Assert.NotNull(restored);
        Assert.NotSame(first, restored);
        Assert.Equal(0, ((HeadlessBrowser)transport.WebUi!).Visits);
        Assert.Equal(first.Account, restored!.Account);
        Assert.Equal(grantsBefore, RefreshGrants()); // the cached access token was still good: no identity call at all
        Assert.Same(restored, org.Connections.Find(org.Organization));
        Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, restored, EwsProbe.FirstUser(_tenant))).DisplayName);
    }

    [Fact]
    public async Task Nothing_is_restored_for_an_organization_that_never_signed_in_or_signed_out()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);
        Assert.Null(org.Connections.Find(org.Organization));

        await ConnectInteractivelyAsync(org);
        Assert.True(org.Connections.Disconnect(org.Organization));

        Assert.Null(org.Connections.Find(org.Organization));
        Assert.Empty(Directory.GetFiles(org.TokensFolder));
    }

    [Fact]
    public async Task A_failed_check_keeps_no_sign_in()
    {
        using var org = _tenant.NewStore(AccessType.OAuthImpersonation);

        var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new SignInRequest(SignInMethod.Interactive) { ServiceAccount = "svc-unlicensed@contoso.test" }, _tenant.Transport()));

        // Issue 17: a service account without a licensed mailbox is told what to assign, over EWS.
        Assert.Equal("ServiceAccountHasNoMailbox", error.ErrorId);
        Assert.Contains("assign svc-unlicensed@contoso.test a licence that includes Exchange Online", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("Enable-Mailbox svc-unlicensed@contoso.test", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Null(org.Registry.FindLive(org.Organization));
        Assert.False(Directory.Exists(org.TokensFolder) && Directory.GetFiles(org.TokensFolder).Length > 0);
    }

    [Fact]
    public async Task A_sign_in_that_does_not_fit_the_access_type_is_refused_before_anything_happens()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org, new SignInRequest(SignInMethod.DeviceCode)));

        Assert.Equal("SignInDoesNotMatchAccessType", error.ErrorId);
        Assert.Contains("Set-InboxAccessType", error.RecommendedAction);
    }

    private long RefreshGrants() =>
        _tenant.Simulator.Control.Metrics.TokenRequestsByGrant.TryGetValue("refresh_token", out var count) ? count : 0;

    private Task<InboxConnection> ConnectInteractivelyAsync(SimulatedTenant.TenantStore org) =>
        ConnectAsync(org, new SignInRequest(SignInMethod.Interactive));

    private Task<InboxConnection> ConnectAsync(SimulatedTenant.TenantStore org, SignInRequest request) =>
        org.ConnectAsync(request, _tenant.Transport());
}
