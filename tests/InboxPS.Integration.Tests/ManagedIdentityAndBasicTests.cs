using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Integration.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>
/// Managed identity (MSAL finds the endpoint through IDENTITY_ENDPOINT / IDENTITY_HEADER, as on Azure Automation) and
/// basic authentication of the service account (Exchange Server).
/// </summary>
[Collection(nameof(ManagedIdentityEnvironment))]
public sealed class ManagedIdentityAndBasicTests : IClassFixture<SimulatedTenant>
{
    private readonly SimulatedTenant _tenant;

    public ManagedIdentityAndBasicTests(SimulatedTenant tenant) => _tenant = tenant;

    [Fact]
    public async Task The_managed_identity_of_the_runbook_connects_app_only()
    {
        using var org = _tenant.NewStore(AccessType.OAuthAppOnly);
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", _tenant.Simulator.ManagedIdentityEndpoint.ToString());
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", _tenant.Simulator.ManagedIdentityHeader);
        try
        {
            var connection = await ConnectAsync(org, new SignInRequest(SignInMethod.ManagedIdentity) { ServiceAccount = EwsProbe.FirstUser(_tenant) });

            Assert.Equal(AuthType.AppOnly, connection.AuthType);
            Assert.Equal(_tenant.Simulator.ManagedIdentityClientId, connection.AppId);
            Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant))).DisplayName);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", null);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", null);
        }
    }

    [Fact]
    public async Task The_service_accounts_credential_connects_with_basic_authentication()
    {
        using var org = NewBasicOrganization();

        var connection = await ConnectAsync(org, Basic(_tenant.Simulator.ServiceAccountPassword));

        Assert.Equal(AuthType.Basic, connection.AuthType);
        Assert.Null(connection.TokenExpiresOn);
        Assert.Equal("Inbox", (await EwsProbe.OpenInboxAsync(_tenant, connection, EwsProbe.FirstUser(_tenant))).DisplayName);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_advice_and_without_the_password()
    {
        using var org = NewBasicOrganization();
        const string wrong = "Not-The-Password-1";

        var error = await Assert.ThrowsAsync<InboxException>(() => ConnectAsync(org, Basic(wrong)));

        Assert.Equal("ExchangeRefusedSignIn", error.ErrorId);
        Assert.Contains("password", error.RecommendedAction);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(_tenant.Simulator.ServiceAccountPassword, error.ToString());
    }

    private SimulatedTenant.TenantStore NewBasicOrganization()
    {
        var org = _tenant.NewStore(AccessType.BasicImpersonation);
        var profile = org.Store.GetOrganization(org.Organization)!;
        profile.Authority = null;
        profile.ClientId = null;
        org.Store.SaveOrganization(profile);
        return org;
    }

    private SignInRequest Basic(string password) => new(SignInMethod.Credential)
    {
        Credential = new System.Net.NetworkCredential(_tenant.Simulator.ServiceAccount, EwsProbe.Secure(password)),
    };

    private Task<InboxConnection> ConnectAsync(SimulatedTenant.TenantStore org, SignInRequest request) =>
        org.ConnectAsync(request, _tenant.Transport());
}

/// <summary>Tests that set process-wide environment variables MSAL reads run alone.</summary>
[CollectionDefinition(nameof(ManagedIdentityEnvironment), DisableParallelization = true)]
public sealed class ManagedIdentityEnvironment
{
}
