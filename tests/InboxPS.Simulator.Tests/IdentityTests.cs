using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace InboxPS.Simulator.Tests;

/// <summary>Every sign-in InboxPS uses, through the real MSAL library against the simulator's identity endpoint.</summary>
public sealed class IdentityTests : IClassFixture<SimulatorFixture>, IDisposable
{
    private static readonly string[] s_appOnly = { Msal.AppOnlyScope };
    private static readonly string[] s_delegated = { Msal.DelegatedScope };
    private readonly ExchangeSimulator _sim;
    private readonly SimulatorTrustFactory _http;

    public IdentityTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
        _http = new SimulatorTrustFactory(_sim.CaCertificatePath);
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ClientSecretGivesAnAppOnlyTokenSignedWithAKeyFromTheJwks()
    {
        var result = await Msal.WithSecret(_sim, _http).AcquireTokenForClient(s_appOnly).ExecuteAsync();

        var claims = Claims(result.AccessToken);
        Assert.Equal("https://outlook.office365.com", claims.GetProperty("aud").GetString());
        Assert.Equal(_sim.TenantId, claims.GetProperty("tid").GetString());
        Assert.Equal("full_access_as_app", claims.GetProperty("roles")[0].GetString());
        Assert.True(await SignatureVerifiesWithPublishedKeyAsync(result.AccessToken));
    }

    [Fact]
    public async Task EveryIssuedTokenAndEveryClientAssertionIsRecordedForTheSecurityScans()
    {
        using var registered = X509CertificateLoader.LoadPkcs12FromFile(_sim.CertificatePath, _sim.CertificatePassword);
        var bySecret = await Msal.WithSecret(_sim, _http).AcquireTokenForClient(s_appOnly).ExecuteAsync();
        var byCertificate = await WithCertificate(registered).AcquireTokenForClient(s_appOnly).ExecuteAsync();

        var issued = _sim.Control.IssuedSecrets;

        Assert.Contains(bySecret.AccessToken, issued.Tokens);
        Assert.Contains(byCertificate.AccessToken, issued.Tokens);
        // The assertion MSAL signed with the certificate's key: a JWT whose issuer and subject are the app.
        Assert.Contains(issued.ClientAssertions, a => Claims(a).GetProperty("sub").GetString() == _sim.ClientId);
    }

    [Fact]
    public async Task ACertificateAssertionIsAcceptedAndAForeignCertificateIsNot()
    {
        using var registered = X509CertificateLoader.LoadPkcs12FromFile(_sim.CertificatePath, _sim.CertificatePassword);
        using var foreignKey = RSA.Create(2048);
        using var foreign = new CertificateRequest("CN=Not registered", foreignKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var result = await WithCertificate(registered).AcquireTokenForClient(s_appOnly).ExecuteAsync();
        var refused = await Assert.ThrowsAsync<MsalServiceException>(() => WithCertificate(foreign).AcquireTokenForClient(s_appOnly).ExecuteAsync());

        Assert.Equal("full_access_as_app", Claims(result.AccessToken).GetProperty("roles")[0].GetString());
        Assert.Equal("invalid_client", refused.ErrorCode);
        Assert.Contains("AADSTS700027", refused.Message);
    }

    [Fact]
    public async Task AWrongSecretIsInvalidClientAsEntraSaysIt()
    {
        var error = await Assert.ThrowsAsync<MsalServiceException>(() =>
            Msal.WithSecret(_sim, _http, secret: "wrong-secret").AcquireTokenForClient(s_appOnly).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("AADSTS7000215", error.Message);
        Assert.DoesNotContain("wrong-secret", error.ResponseBody);
        using var body = JsonDocument.Parse(error.ResponseBody);
        Assert.Equal(7000215, body.RootElement.GetProperty("error_codes")[0].GetInt32());
        foreach (var field in new[] { "trace_id", "correlation_id", "timestamp", "error_uri" })
        {
            Assert.True(body.RootElement.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task AnUnknownTenantIsAadsts90002()
    {
        var authority = new Uri(_sim.BaseUri, Guid.NewGuid().ToString()).ToString();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() =>
            Msal.WithSecret(_sim, _http, authority: authority).AcquireTokenForClient(s_appOnly).ExecuteAsync());

        Assert.Contains("AADSTS90002", error.Message);
    }

    [Fact]
    public async Task ADeviceCodeApprovedThroughTheControlApiSignsTheServiceAccountIn()
    {
        var app = Msal.Public(_sim, _http);

        var result = await app.AcquireTokenWithDeviceCode(s_delegated, code =>
        {
            Assert.Contains(code.UserCode, _sim.Control.PendingDeviceCodes);
            Assert.True(_sim.Control.ApproveDeviceCode(code.UserCode));
            return Task.CompletedTask;
        }).ExecuteAsync();

        Assert.Equal(_sim.ServiceAccount, result.Account.Username);
        Assert.Equal("EWS.AccessAsUser.All", Claims(result.AccessToken).GetProperty("scp").GetString());
        using var client = EwsClient.Bearer(_sim, result.AccessToken);
        Assert.Equal("NoError", (await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0050@contoso.test")).ResponseCode);
    }

    [Fact]
    public async Task ADeclinedDeviceCodeFailsTheSignIn()
    {
        var error = await Assert.ThrowsAnyAsync<MsalException>(() => Msal.Public(_sim, _http).AcquireTokenWithDeviceCode(s_delegated, code =>
        {
            _sim.Control.DeclineDeviceCode(code.UserCode);
            return Task.CompletedTask;
        }).ExecuteAsync());

        Assert.Equal("authorization_declined", error.ErrorCode);
    }

    [Fact]
    public async Task AnInteractiveSignInRunsHeadlesslyThroughACustomWebUi()
    {
        var app = Msal.Public(_sim, _http);

        var result = await app.AcquireTokenInteractive(s_delegated)
            .WithLoginHint("user0051@contoso.test")
            .WithCustomWebUi(new FollowRedirectWebUi(_sim))
            .ExecuteAsync();

        Assert.Equal("user0051@contoso.test", result.Account.Username);
        Assert.Equal(_sim.TenantId, result.TenantId);
    }

    [Fact]
    public async Task AConfidentialAppRedeemsAnAuthorizationCode()
    {
        const string redirect = "http://localhost/signin";
        var app = ConfidentialClientApplicationBuilder.Create(_sim.ClientId)
            .WithAuthority(_sim.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(_http)
            .WithClientSecret(_sim.ClientSecret)
            .WithRedirectUri(redirect)
            .Build();
        var authorize = new Uri(_sim.Authority + "/oauth2/v2.0/authorize?client_id=" + _sim.ClientId + "&response_type=code&redirect_uri="
            + Uri.EscapeDataString(redirect) + "&scope=" + Uri.EscapeDataString(Msal.DelegatedScope + " offline_access") + "&login_hint=" + _sim.ServiceAccount);

        var code = System.Web.HttpUtility.ParseQueryString((await FollowRedirectWebUi.RedirectOf(_sim, authorize)).Query)["code"]!;
        var result = await app.AcquireTokenByAuthorizationCode(s_delegated, code).ExecuteAsync();
        var reused = await Assert.ThrowsAnyAsync<MsalServiceException>(() => app.AcquireTokenByAuthorizationCode(s_delegated, code).ExecuteAsync());

        Assert.Equal(_sim.ServiceAccount, Claims(result.AccessToken).GetProperty("upn").GetString());
        Assert.Equal("invalid_grant", reused.ErrorCode);
        Assert.Contains("AADSTS54005", reused.Message);
    }

    [Fact]
    public async Task AnExpiredAccessTokenIsRenewedWithTheRefreshToken()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1, TokenLifetime = TimeSpan.FromSeconds(2) });
        using var http = new SimulatorTrustFactory(sim.CaCertificatePath);
        var app = Msal.Public(sim, http);
        var first = await app.AcquireTokenInteractive(s_delegated).WithCustomWebUi(new FollowRedirectWebUi(sim)).ExecuteAsync();

        await UntilExpiredAsync(first);
        var renewed = await app.AcquireTokenSilent(s_delegated, first.Account).ExecuteAsync();

        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.Equal(1, sim.Control.Metrics.TokenRequestsByGrant["refresh_token"]);
        using var client = EwsClient.Bearer(sim, renewed.AccessToken);
        Assert.Equal("NoError", (await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test")).ResponseCode);
    }

    [Fact]
    public async Task APasswordChangeRevokesRefreshTokensAndTheOldPassword()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1, TokenLifetime = TimeSpan.FromSeconds(2) });
        using var http = new SimulatorTrustFactory(sim.CaCertificatePath);
        var app = Msal.Public(sim, http);
        var first = await app.AcquireTokenInteractive(s_delegated).WithCustomWebUi(new FollowRedirectWebUi(sim)).ExecuteAsync();
        var oldPassword = sim.ServiceAccountPassword;

        sim.Control.ChangeServiceAccountPassword("N3w-Passw0rd!");
        await UntilExpiredAsync(first);
        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent(s_delegated, first.Account).ExecuteAsync());
        using var oldBasic = EwsClient.Basic(sim, oldPassword);
        using var newBasic = EwsClient.Basic(sim, "N3w-Passw0rd!");

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS50173", error.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldBasic.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test")).Status);
        Assert.Equal("NoError", (await newBasic.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test")).ResponseCode);
    }

    [Fact]
    public async Task DiscoveryDescribesTheEndpointsMsalNeeds()
    {
        using var http = new HttpClient(_sim.CreateTrustingHandler());

        using var document = JsonDocument.Parse(await http.GetStringAsync(_sim.Authority + "/v2.0/.well-known/openid-configuration"));

        var root = document.RootElement;
        Assert.Equal(_sim.Authority + "/v2.0", root.GetProperty("issuer").GetString());
        Assert.Equal(_sim.Authority + "/oauth2/v2.0/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal(_sim.Authority + "/oauth2/v2.0/devicecode", root.GetProperty("device_authorization_endpoint").GetString());
        Assert.Equal(_sim.Authority + "/discovery/v2.0/keys", root.GetProperty("jwks_uri").GetString());
    }

    private IConfidentialClientApplication WithCertificate(X509Certificate2 certificate) =>
        ConfidentialClientApplicationBuilder.Create(_sim.ClientId)
            .WithAuthority(_sim.Authority.ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(_http)
            .WithCertificate(certificate)
            .Build();

    private async Task<bool> SignatureVerifiesWithPublishedKeyAsync(string token)
    {
        using var http = new HttpClient(_sim.CreateTrustingHandler());
        using var keys = JsonDocument.Parse(await http.GetStringAsync(_sim.Authority + "/discovery/v2.0/keys"));
        var parts = token.Split('.');
        using var header = JsonDocument.Parse(Base64Url(parts[0]));
        var key = keys.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == header.RootElement.GetProperty("kid").GetString());
        using var rsa = RSA.Create(new RSAParameters { Modulus = Base64Url(key.GetProperty("n").GetString()!), Exponent = Base64Url(key.GetProperty("e").GetString()!) });
        return rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>Waits out a short-lived token so MSAL has to use its refresh token (waiting, not a timing assertion).</summary>
    private static Task UntilExpiredAsync(AuthenticationResult result) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, (result.ExpiresOn - DateTimeOffset.UtcNow).TotalMilliseconds + 100)));

    internal static JsonElement Claims(string token) => JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;

    private static byte[] Base64Url(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);

    /// <summary>The browser, headless: GET the authorize URL (the simulator auto-approves) and hand MSAL the redirect.</summary>
    private sealed class FollowRedirectWebUi : ICustomWebUi
    {
        private readonly ExchangeSimulator _sim;

        public FollowRedirectWebUi(ExchangeSimulator sim)
        {
            _sim = sim;
        }

        public Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken) =>
            RedirectOf(_sim, authorizationUri);

        public static async Task<Uri> RedirectOf(ExchangeSimulator sim, Uri authorizationUri)
        {
            using var http = new HttpClient(sim.CreateTrustingHandler());
            using var response = await http.GetAsync(authorizationUri);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return response.Headers.Location!;
        }
    }
}
