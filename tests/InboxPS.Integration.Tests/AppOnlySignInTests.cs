using System.Security.Cryptography.X509Certificates;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Integration.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>App-only sign-ins (OAuthAppOnly) through real MSAL against the simulator's identity endpoint.</summary>
public sealed class AppOnlySignInTests : IClassFixture<SimulatedTenant>
{
    private readonly SimulatedTenant _tenant;

    public AppOnlySignInTests(SimulatedTenant tenant) => _tenant = tenant;

    private string TestMailbox => EwsProbe.FirstUser(_tenant);

    [Fact]
    public async Task A_client_secret_connects_and_the_connection_syncs_other_mailboxes()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret),
            ServiceAccount = TestMailbox,
        });

        Assert.Equal(AuthType.AppOnly, connection.AuthType);
        Assert.Equal(ConnectionStatus.Connected, connection.Status);
        Assert.Equal(_tenant.Simulator.ClientId, connection.AppId);
        Assert.True(connection.TokenExpiresOn > DateTimeOffset.UtcNow);
        Assert.Null(connection.TokenCachePath);
        Assert.Same(connection, org.Registry.FindLive(org.Organization));
        var other = _tenant.Simulator.Control.ListUsers(1, 1)[0].PrimarySmtpAddress;
        Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, connection, other)).DisplayName);
        Assert.Equal(TestMailbox, org.Store.GetOrganization(org.Organization)!.ServiceAccount);
        Assert.False(Directory.Exists(org.TokensFolder));
    }

    // MSAL writes the assertion's nbf and exp as JSON strings, which Entra ID accepts: an identity endpoint that reads
    // only JSON numbers answers AADSTS700024 here.
    [Fact]
    public async Task A_certificate_file_with_its_password_connects()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        var certificate = CertificateLoader.FromFile(_tenant.Simulator.CertificatePath, EwsProbe.Secure(_tenant.Simulator.CertificatePassword));

        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.Certificate) { Certificate = certificate, ServiceAccount = TestMailbox });

        Assert.Equal(SignInMethod.Certificate, connection.Method);
        Assert.Equal(ConnectionStatus.Connected, connection.Status);
    }

    [Fact]
    public async Task A_certificate_object_connects()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(_tenant.Simulator.CertificatePath, _tenant.Simulator.CertificatePassword);

        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.Certificate) { Certificate = certificate, ServiceAccount = TestMailbox });

        Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, connection, TestMailbox)).DisplayName);
    }

    [Fact]
    public void A_certificate_file_with_a_wrong_password_is_explained_without_the_password()
    {
        var error = Assert.Throws<InboxException>(() => CertificateLoader.FromFile(_tenant.Simulator.CertificatePath, EwsProbe.Secure("not-the-Password-42")));

        Assert.Equal("CertificateUnreadable", error.ErrorId);
        Assert.DoesNotContain("not-the-Password-42", error.ToString());
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_with_a_clear_error_that_never_shows_a_secret()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        const string wrong = "Wrong8Q~secret-value-that-must-not-leak";

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org,
            new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(wrong), ServiceAccount = TestMailbox }));

        Assert.Equal("ClientCredentialRejected", error.ErrorId);
        Assert.Contains("AADSTS7000215", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(_tenant.Simulator.ClientSecret, error.ToString());
        Assert.Null(org.Registry.FindLive(org.Organization));
    }

    [Fact]
    public async Task A_wrong_tenant_is_named_as_such()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        var elsewhere = new Uri(_tenant.Simulator.Authority, "/fabrikam.onmicrosoft.com");

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org, new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret),
            Authority = elsewhere,
            TenantId = "fabrikam.onmicrosoft.com",
            ServiceAccount = TestMailbox,
        }));

        Assert.Equal("TenantNotFound", error.ErrorId);
        Assert.Contains("fabrikam.onmicrosoft.com", error.Message);
    }

    [Fact]
    public async Task App_only_needs_a_mailbox_to_prove_it_can_impersonate()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org,
            new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret) }));

        Assert.Equal("ServiceAccountRequired", error.ErrorId);
        Assert.Contains("-ServiceAccount", error.RecommendedAction);
    }

    [Fact]
    public async Task A_test_mailbox_outside_the_apps_scope_names_the_permission_and_the_scope()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org,
            new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret), ServiceAccount = "outofscope@contoso.test" }));

        Assert.Equal("ImpersonationNotGranted", error.ErrorId);
        Assert.Equal(InboxErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("full_access_as_app", error.RecommendedAction);
        Assert.Contains("outofscope@contoso.test", error.RecommendedAction);
        Assert.Null(org.Registry.FindLive(org.Organization));
    }

    [Fact]
    public async Task A_test_mailbox_that_does_not_exist_is_reported_as_such()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org,
            new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret), ServiceAccount = "nobody@contoso.test" }));

        Assert.Equal("TestMailboxNotFound", error.ErrorId);
    }

    [Fact]
    public async Task A_service_account_without_a_licensed_mailbox_as_the_test_mailbox_is_told_what_to_assign()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org,
            new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret), ServiceAccount = "svc-unlicensed@contoso.test" }));

        Assert.Equal("TestMailboxNotFound", error.ErrorId);
        Assert.Contains("assign svc-unlicensed@contoso.test a licence that includes Exchange Online", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Null(org.Registry.FindLive(org.Organization));
    }

    [Fact]
    public async Task A_given_access_token_works_until_exchange_refuses_it_and_cannot_be_refreshed()
    {
        using var source = _tenant.NewStore(AccessType.OAuthAppOnly);
        var issued = await ConnectAsync(source, new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret),
            ServiceAccount = TestMailbox,
        });
        var token = await EwsProbe.BearerTokenOf(issued);
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);

        var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.AccessToken) { AccessToken = EwsProbe.Secure(token), ServiceAccount = TestMailbox });

        Assert.Equal(AuthType.AppOnly, connection.AuthType);
        Assert.Equal(_tenant.Simulator.ClientId, connection.AppId);
        Assert.NotNull(connection.TokenExpiresOn);
        using var request = new HttpRequestMessage();
        var error = await Assert.ThrowsAsync<InboxException>(() => EwsAuthentication.For(connection).ApplyAsync(request, afterUnauthorized: true, CancellationToken.None));
        Assert.Equal("ReconnectServiceAccount", error.ErrorId);
        Assert.DoesNotContain(token, error.ToString());
    }

    private Task<InboxConnection> ConnectAsync(SimulatedTenant.TenantStore org, SignInRequest request) =>
        org.ConnectAsync(request, _tenant.Transport());
}
