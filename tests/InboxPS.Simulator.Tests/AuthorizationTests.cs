using System.Net;
using System.Net.Http.Headers;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>Authentication (401 shapes), impersonation (the four ConnectingSID forms, rights, broken users) and headers.</summary>
public sealed class AuthorizationTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public AuthorizationTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
    }

    [Fact]
    public async Task NoCredentialsIs401WithTheChallengesExchangeSends()
    {
        using var client = new EwsClient(_sim, null);

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0040@contoso.test");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        var challenges = answer.Headers.WwwAuthenticate.Select(h => h.Scheme).ToList();
        Assert.Equal(new[] { "Bearer", "Basic" }, challenges);
        Assert.Contains("client_id=\"00000002-0000-0ff1-ce00-000000000000\"", answer.Headers.WwwAuthenticate.First().Parameter);
        Assert.DoesNotContain("error=", answer.Headers.WwwAuthenticate.First().Parameter);
    }

    [Fact]
    public async Task BasicWithAWrongPasswordIs401()
    {
        using var client = EwsClient.Basic(_sim, "not-the-password");

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0040@contoso.test");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
    }

    [Fact]
    public async Task BasicAcceptsTheDownLevelLogonName()
    {
        using var client = new EwsClient(_sim, EwsClient.BasicHeader(@"CONTOSO\svc-inboxps", _sim.ServiceAccountPassword));

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0040@contoso.test");

        Assert.Equal("NoError", answer.ResponseCode);
    }

    [Theory]
    [InlineData("PrimarySmtpAddress", "user0041@contoso.test")]
    [InlineData("SmtpAddress", "user0041@contoso.onmicrosoft.test")]
    [InlineData("PrincipalName", "user0041@contoso.test")]
    public async Task EveryConnectingSidFormNamesTheMailbox(string kind, string value)
    {
        using var client = EwsClient.Basic(_sim);
        var inbox = _sim.Control.GetFolders("user0041@contoso.test").Single(f => f.DistinguishedName == "inbox").FolderId;

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), value, kind);

        Assert.Equal(inbox, (string?)answer.Xml.Descendants(EwsClient.T + "FolderId").Single().Attribute("Id"));
    }

    [Fact]
    public async Task TheSidFormNamesTheMailboxToo()
    {
        using var client = EwsClient.Basic(_sim);
        var sid = _sim.Control.GetUser("user0042@contoso.test").Sid;

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), sid, "SID");

        Assert.Equal("NoError", answer.ResponseCode);
        Assert.Equal(1, _sim.Control.Metrics.PeakConcurrencyByMailbox.GetValueOrDefault("user0042@contoso.test"));
    }

    [Fact]
    public async Task AnAppOnlyTokenCanImpersonateButNotGoWithoutTheHeader()
    {
        using var client = EwsClient.Bearer(_sim, await Msal.AppOnlyTokenAsync(_sim));

        var impersonated = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0043@contoso.test");
        var bare = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), null);

        Assert.Equal("NoError", impersonated.ResponseCode);
        Assert.Equal(HttpStatusCode.InternalServerError, bare.Status);
        Assert.Equal("ErrorInvalidExchangeImpersonationHeaderData", bare.FaultCode);
        Assert.Contains("ExchangeImpersonation SOAP header must be present for this type of OAuth token.", bare.Text);
    }

    [Theory]
    [InlineData("outofscope@contoso.test", "ErrorImpersonateUserDenied")]
    [InlineData("nolicense@contoso.test", "ErrorNonExistentMailbox")]
    [InlineData("svc-unlicensed@contoso.test", "ErrorNonExistentMailbox")]
    [InlineData("nobody@contoso.test", "ErrorNonExistentMailbox")]
    [InlineData("user0041@fabrikam.test", "ErrorNonExistentMailbox")]
    public async Task BrokenUsersAreRefusedWithSoapFaults(string mailbox, string code)
    {
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), mailbox);

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(code, answer.FaultCode);
        Assert.Equal("a:" + code, answer.Xml.Descendants("faultcode").Single().Value);
    }

    [Fact]
    public async Task AMailboxBeingMovedAnswersErrorMailboxMoveInProgressInsideHttp200()
    {
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 10), "moving@contoso.test");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ErrorMailboxMoveInProgress", answer.ResponseCode);
    }

    [Fact]
    public async Task RightsFollowTheManagementScopeAndCanBeWithdrawn()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 5, ItemsPerFolder = 2 });
        using var client = EwsClient.Basic(sim);

        sim.Control.SetImpersonationRights(sim.ServiceAccount, ImpersonationScope.Mailboxes, new[] { "user0001@contoso.test" });
        var inScope = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");
        var outOfScope = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0002@contoso.test");
        sim.Control.SetImpersonationRights(sim.ServiceAccount, ImpersonationScope.None);
        var none = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");

        Assert.Equal("NoError", inScope.ResponseCode);
        Assert.Equal("ErrorImpersonateUserDenied", outOfScope.FaultCode);
        Assert.Equal("ErrorImpersonateUserDenied", none.FaultCode);
        Assert.Equal(2, sim.Control.Metrics.ErrorResponses["ErrorImpersonateUserDenied"]);
    }

    [Fact]
    public async Task AMailboxWithEwsDisabledAnswersErrorAccessDenied()
    {
        _sim.Control.SetMailboxState("user0044@contoso.test", new MailboxStateChange { EwsEnabled = false });
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0044@contoso.test");

        Assert.Equal("ErrorAccessDenied", answer.FaultCode);
    }

    [Fact]
    public async Task TheServiceAccountHasALicensedMailboxAndTheUnlicensedOneHasNone()
    {
        using var client = EwsClient.Basic(_sim);
        using var unlicensed = new EwsClient(_sim, EwsClient.BasicHeader("svc-unlicensed@contoso.test", _sim.ServiceAccountPassword));

        var own = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), null);
        var none = await unlicensed.SendAsync(Ops.GetFolder("IdOnly", "inbox"), null);

        Assert.Null(own.FaultCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, own.Status);
        Assert.Equal("ErrorNonExistentMailbox", none.FaultCode);
    }

    [Fact]
    public async Task ExpiredTamperedAndRolelessTokensAre401WithExchangeDiagnostics()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2, ItemsPerFolder = 1, TokenLifetime = TimeSpan.FromSeconds(1) });
        var shortLived = await Msal.AppOnlyTokenAsync(sim);
        // One character early in the signature: changing its last characters can leave bits base64url does not allow,
        // and the token is then malformed (2000001) rather than wrongly signed.
        var at = shortLived.LastIndexOf('.') + 5;
        var tampered = shortLived[..at] + (shortLived[at] == 'A' ? 'B' : 'A') + shortLived[(at + 1)..];
        sim.Control.SetAppPermission(sim.ClientId, false);
        sim.Control.TokenLifetime = TimeSpan.FromHours(1);
        var roleless = await Msal.AppOnlyTokenAsync(sim);

        var expired = await UntilStatusAsync(sim, shortLived, HttpStatusCode.Unauthorized);
        var badSignature = await SendWithTokenAsync(sim, tampered);
        var noRole = await SendWithTokenAsync(sim, roleless);

        Assert.Contains("error=\"invalid_token\"", expired.Headers.WwwAuthenticate.First(h => h.Scheme == "Bearer").Parameter);
        Assert.StartsWith("2000002;", Diagnostics(expired));
        Assert.StartsWith("2000000;", Diagnostics(badSignature));
        Assert.StartsWith("2000008;", Diagnostics(noRole));
        Assert.Equal(3, sim.Control.Metrics.Unauthorized);
    }

    [Fact]
    public async Task RequestIdsAndTheClientRequestIdEchoFollowExchange()
    {
        using var client = EwsClient.Basic(_sim);
        var id = Guid.NewGuid().ToString();

        var echoed = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0045@contoso.test", configure: r =>
        {
            r.Headers.Add("client-request-id", id);
            r.Headers.Add("return-client-request-id", "true");
        });
        var notAsked = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0045@contoso.test", configure: r => r.Headers.Add("client-request-id", id));

        Assert.Equal(id, echoed.Headers.GetValues("client-request-id").Single());
        Assert.False(notAsked.Headers.Contains("client-request-id"));
        Assert.True(Guid.TryParse(notAsked.Headers.GetValues("request-id").Single(), out _));
    }

    [Fact]
    public async Task MissingAndWrongAnchorMailboxesAreCounted()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 1 });
        using var client = EwsClient.Basic(sim);

        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");
        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), sim.Control.GetUser("user0001@contoso.test").Sid, "SID");
        await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test", configure: r =>
        {
            r.Headers.Remove("X-AnchorMailbox");
            r.Headers.Add("X-AnchorMailbox", "user0002@contoso.test");
        });

        Assert.Equal((1, 1), (sim.Control.Metrics.MissingAnchorMailbox, sim.Control.Metrics.MismatchedAnchorMailbox));
    }

    private static string Diagnostics(EwsAnswer answer) => answer.Headers.GetValues("x-ms-diagnostics").Single();

    private static async Task<EwsAnswer> SendWithTokenAsync(ExchangeSimulator sim, string token)
    {
        using var client = new EwsClient(sim, new AuthenticationHeaderValue("Bearer", token));
        return await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");
    }

    /// <summary>Repeats a call until it gets the status (a token's expiry is a moment in time; no test asserts how long it takes).</summary>
    private static async Task<EwsAnswer> UntilStatusAsync(ExchangeSimulator sim, string token, HttpStatusCode status)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await SendWithTokenAsync(sim, token);
            if (answer.Status == status || attempt == 100)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }
}
