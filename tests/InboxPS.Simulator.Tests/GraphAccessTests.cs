using System.Net;
using System.Text;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>Graph tokens (audience, roles, national clouds), 401s in Graph's words, users, and per-mailbox refusals.</summary>
public sealed class GraphAccessTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public GraphAccessTests(SimulatorFixture fixture) => _sim = fixture.Simulator;

    private static JsonElement Claims(string jwt) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement;

    [Fact]
    public async Task GraphTokenHasGraphsAudienceAndTheConsentedGraphRoles()
    {
        var claims = Claims(await GraphHttp.TokenAsync(_sim));

        Assert.Equal("https://graph.microsoft.com", claims.GetProperty("aud").GetString());
        Assert.Equal(new[] { "Mail.Read", "User.Read.All" }, claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).OrderBy(r => r));
        Assert.Equal("app", claims.GetProperty("idtyp").GetString());
        Assert.Equal("https://graph.microsoft.com/.default", _sim.GraphScope);
    }

    [Theory]
    [InlineData("https://graph.microsoft.us/.default", "https://graph.microsoft.us")]
    [InlineData("https://dod-graph.microsoft.us/.default", "https://dod-graph.microsoft.us")]
    [InlineData("https://microsoftgraph.chinacloudapi.cn/.default", "https://microsoftgraph.chinacloudapi.cn")]
    public async Task NationalCloudScopesGiveTokensForThatCloudsRoot(string scope, string audience) =>
        Assert.Equal(audience, Claims(await GraphHttp.TokenAsync(_sim, scope)).GetProperty("aud").GetString());

    [Fact]
    public async Task ManagedIdentityGetsAGraphTokenWhenAskedForGraphsResource()
    {
        using var http = new HttpClient(_sim.CreateTrustingHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sim.ManagedIdentityEndpoint, "?resource=https://graph.microsoft.com&api-version=2019-08-01"));
        request.Headers.Add("X-IDENTITY-HEADER", _sim.ManagedIdentityHeader);

        using var response = await http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("https://graph.microsoft.com", body.GetProperty("resource").GetString());
        var claims = Claims(body.GetProperty("access_token").GetString()!);
        Assert.Equal("https://graph.microsoft.com", claims.GetProperty("aud").GetString());
        Assert.Equal(_sim.ManagedIdentityClientId, claims.GetProperty("appid").GetString());
        using var graph = new GraphHttp(_sim, body.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox")).Status);
    }

    [Fact]
    public async Task TheEndpointTakesOnlyItsCloudsAudience()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 2, GraphCloud = GraphCloud.USGov });
        using var usGov = await GraphHttp.SignInAsync(sim, "https://graph.microsoft.us/.default");
        using var global = await GraphHttp.SignInAsync(sim);

        Assert.Equal(HttpStatusCode.OK, (await usGov.GetAsync("users")).Status);
        var refused = await global.GetAsync("users");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("Access token validation failure. Invalid audience.", (string)refused.Json["error"]!["message"]!);
        Assert.Equal("https://graph.microsoft.us/.default", sim.GraphScope);
    }

    [Fact]
    public async Task RefusedTokensAre401InvalidAuthenticationTokenWithAChallenge()
    {
        var graphToken = await GraphHttp.TokenAsync(_sim);
        var parts = graphToken.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + (parts[2][0] == 'A' ? 'B' : 'A') + parts[2][1..];
        var cases = new (string? Token, string Message)[]
        {
            (null, "Access token is empty."),
            (await Msal.AppOnlyTokenAsync(_sim), "Access token validation failure. Invalid audience."),
            (tampered, "IDX10511: Signature validation failed."),
            ("not-a-jwt", "IDX14100: JWT is not well formed, there are no dots (.)."),
        };

        foreach (var (token, message) in cases)
        {
            using var graph = new GraphHttp(_sim, token);
            var answer = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");

            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal("InvalidAuthenticationToken", answer.ErrorCode);
            Assert.Equal(message, (string)answer.Json["error"]!["message"]!);
            Assert.StartsWith("Bearer realm=\"\", authorization_uri=\"https://127.0.0.1:", answer.Header("WWW-Authenticate"));
            Assert.Contains("client_id=\"00000003-0000-0000-c000-000000000000\"", answer.Header("WWW-Authenticate"));
        }

        Assert.True(_sim.Metrics.Graph.Unauthorized >= cases.Length);
    }

    [Fact]
    public async Task ExpiredAndRolelessTokensAre401AndARevokedRoleIsAPerEndpoint403()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 2, TokenLifetime = TimeSpan.FromSeconds(1) });
        var shortLived = await GraphHttp.TokenAsync(sim);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        using (var expired = new GraphHttp(sim, shortLived))
        {
            var answer = await expired.GetAsync("users");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal("Lifetime validation failed, the token is expired.", (string)answer.Json["error"]!["message"]!);
        }

        sim.Control.TokenLifetime = TimeSpan.FromHours(1);
        sim.Control.SetGraphPermissions(sim.ClientId, Array.Empty<string>());
        using (var roleless = await GraphHttp.SignInAsync(sim))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await roleless.GetAsync("users")).Status);
        }

        // Mail only: the directory refuses in its words; Mail.ReadBasic.All only: no bodies, no MIME.
        sim.Control.SetGraphPermissions(sim.ClientId, new[] { "Mail.ReadBasic.All" });
        using var basic = await GraphHttp.SignInAsync(sim);
        var users = await basic.GetAsync("users");
        Assert.Equal(HttpStatusCode.Forbidden, users.Status);
        Assert.Equal("Authorization_RequestDenied", users.ErrorCode);
        var item = sim.Control.GetItems("user0001@contoso.test")[0];
        var message = await basic.GetAsync($"users/user0001@contoso.test/messages/{sim.Control.GraphItemId(item.ItemId)}");
        Assert.Equal(HttpStatusCode.OK, message.Status);
        Assert.Null(message.Json["body"]);
        Assert.Equal(item.Subject, (string)message.Json["subject"]!);
        Assert.Equal("ErrorAccessDenied", (await basic.GetAsync($"users/user0001@contoso.test/messages/{sim.Control.GraphItemId(item.ItemId)}/$value")).ErrorCode);

        sim.Control.SetGraphPermissions(sim.ClientId, new[] { "User.Read.All" });
        using var directoryOnly = await GraphHttp.SignInAsync(sim);
        var mail = await directoryOnly.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        Assert.Equal(HttpStatusCode.Forbidden, mail.Status);
        Assert.Equal("ErrorAccessDenied", mail.ErrorCode);
    }

    [Fact]
    public async Task UsersListPagesWithTopAndCountsTheGroundTruth()
    {
        using var graph = await GraphHttp.SignInAsync(_sim);
        var ids = new List<string>();
        var pages = 0;
        for (var next = "users?$top=25"; next is not null; pages++)
        {
            var page = await graph.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            ids.AddRange(page.Json["value"]!.AsArray().Select(u => (string)u!["id"]!));
            next = (string?)page.Json["@odata.nextLink"];
        }

        var truth = _sim.Control.ListUsers();
        Assert.Equal(truth.Count, ids.Count);
        Assert.Equal(truth.Count, ids.Distinct().Count());
        Assert.Equal((truth.Count + 24) / 25, pages);
        Assert.Equal(truth.Select(u => _sim.Control.GraphUserId(u.PrimarySmtpAddress)), ids);
    }

    [Fact]
    public async Task UsersSelectAndFilterWorkAsDocumented()
    {
        using var graph = await GraphHttp.SignInAsync(_sim);

        var byMail = await graph.GetAsync("users?$select=id,mail,accountEnabled&$filter=mail eq 'user0005@contoso.test'");
        var byUpn = await graph.GetAsync("users?$filter=userPrincipalName eq 'user0006@contoso.test' and accountEnabled eq true");
        var disabled = await graph.GetAsync("users?$filter=accountEnabled eq false");
        var unsupported = await graph.GetAsync("users?$filter=startswith(displayName,'A')");

        var user = byMail.Json["value"]!.AsArray().Single()!.AsObject();
        Assert.Equal(new[] { "accountEnabled", "id", "mail" }, user.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.EndsWith("$metadata#users(id,mail,accountEnabled)", (string)byMail.Json["@odata.context"]!);
        Assert.Equal("user0006@contoso.test", (string)byUpn.Json["value"]![0]!["userPrincipalName"]!);
        Assert.Empty(disabled.Json["value"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.Status);
        Assert.Equal("Request_UnsupportedQuery", unsupported.ErrorCode);
    }

    [Fact]
    public async Task AUserIsFoundByIdOrUpnAndAnUnknownOneIsRequestResourceNotFound()
    {
        using var graph = await GraphHttp.SignInAsync(_sim);
        var id = _sim.Control.GraphUserId("user0007@contoso.test");

        var byId = await graph.GetAsync($"users/{id}");
        var byUpn = await graph.GetAsync("users/user0007@contoso.test?$select=displayName");
        var unknown = await graph.GetAsync("users/nobody@contoso.test");

        Assert.Equal("user0007@contoso.test", (string)byId.Json["userPrincipalName"]!);
        Assert.Equal(id, (string)byUpn.Json["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("Request_ResourceNotFound", unknown.ErrorCode);
    }

    [Fact]
    public async Task BrokenUsersAreBrokenOverGraphInGraphsWords()
    {
        using var graph = await GraphHttp.SignInAsync(_sim);

        var outOfScope = await graph.GetAsync("users/outofscope@contoso.test/mailFolders/inbox");
        var noLicense = await graph.GetAsync("users/nolicense@contoso.test/mailFolders/inbox");
        var unknown = await graph.GetAsync("users/nobody@contoso.test/mailFolders/inbox");
        var moving = await graph.GetAsync("users/moving@contoso.test/mailFolders/inbox");

        Assert.Equal((HttpStatusCode.Forbidden, "ErrorAccessDenied"), (outOfScope.Status, outOfScope.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI"), (noLicense.Status, noLicense.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFound"), (unknown.Status, unknown.ErrorCode));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ErrorMailboxMoveInProgress"), (moving.Status, moving.ErrorCode));
        Assert.NotNull(moving.Header("Retry-After"));
    }

    [Fact]
    public async Task AMailboxScopeLimitsTheAppToItsMailboxes()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 4, ItemsPerFolder = 2 });
        sim.Control.SetGraphMailboxScope(sim.ClientId, ImpersonationScope.Mailboxes, new[] { "user0002@contoso.test" });
        using var graph = await GraphHttp.SignInAsync(sim);

        var inScope = await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox");
        var outOfScope = await graph.GetAsync("users/user0003@contoso.test/mailFolders/inbox");

        Assert.Equal(HttpStatusCode.OK, inScope.Status);
        Assert.Equal(HttpStatusCode.Forbidden, outOfScope.Status);
        Assert.Equal("Access to OData is disabled.", (string)outOfScope.Json["error"]!["message"]!);
        // EWS impersonation rights are a different grant: unchanged.
        using var ews = EwsClient.Bearer(sim, await Msal.AppOnlyTokenAsync(sim));
        Assert.Equal("NoError", (await ews.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0003@contoso.test")).ResponseCode);
    }
}
