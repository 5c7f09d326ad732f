using System.Net;
using System.Security;
using System.Text;
using System.Xml.Linq;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>What goes on the wire: the HTTP headers Microsoft asks for, the SOAP headers, the shapes, authentication.</summary>
public sealed class EwsClientRequestTests
{
    [Fact]
    public async Task Every_request_carries_the_anchor_mailbox_a_fresh_request_id_and_one_stable_user_agent()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Inbox()).ThenXml(Soap.Inbox());
        using var client = TestClients.Create(handler);

        await client.GetFolderAsync(TestClients.Alice, "inbox", null, default);
        await client.GetFolderAsync(new MailboxIdentity("bob@contoso.com"), "inbox", null, default);

        var (first, second) = (handler.Requests[0], handler.Requests[1]);
        Assert.Equal(HttpMethod.Post, first.Method);
        Assert.Equal(TestClients.Endpoint, first.Uri);
        Assert.Equal(("alice@contoso.com", "bob@contoso.com"), (first.Header("X-AnchorMailbox"), second.Header("X-AnchorMailbox")));
        Assert.True(Guid.TryParse(first.Header("client-request-id"), out _));
        Assert.NotEqual(first.Header("client-request-id"), second.Header("client-request-id"));
        Assert.Equal("true", first.Header("return-client-request-id"));
        Assert.Matches(@"^InboxPS/\d+\.\d+\.\d+[^+\s]*$", first.Header("User-Agent"));
        Assert.Equal(first.Header("User-Agent"), second.Header("User-Agent"));
        Assert.Equal("text/xml; charset=utf-8", first.Header("Content-Type"));
        Assert.Equal("\"http://schemas.microsoft.com/exchange/services/2006/messages/GetFolder\"", first.Header("SOAPAction"));
    }

    [Fact]
    public async Task The_soap_headers_name_the_version_and_the_impersonated_mailbox()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Inbox());
        using var client = TestClients.Create(handler, o => o.RequestServerVersion = ExchangeServerVersion.Exchange2013_SP1);

        await client.GetFolderAsync(new MailboxIdentity("alice@corp.contoso.com", ConnectingSidKind.PrincipalName), "inbox", null, default);

        var header = handler.Requests[0].Xml.Root!.Element(XName.Get("Header", Soap.SoapNs))!;
        Assert.Equal("Exchange2013_SP1", (string?)header.Element(XName.Get("RequestServerVersion", Soap.TypesNs))!.Attribute("Version"));
        var sid = header.Element(XName.Get("ExchangeImpersonation", Soap.TypesNs))!.Element(XName.Get("ConnectingSID", Soap.TypesNs))!.Elements().Single();
        Assert.Equal(XName.Get("PrincipalName", Soap.TypesNs), sid.Name);
        Assert.Equal("alice@corp.contoso.com", sid.Value);
    }

    [Fact]
    public void The_default_version_is_the_earliest_the_client_knows()
    {
        var options = new EwsClientOptions(TestClients.Endpoint);

        Assert.Equal(ExchangeServerVersion.Exchange2010_SP2, options.RequestServerVersion);
        Assert.Equal(Enum.GetValues<ExchangeServerVersion>().Min(), options.RequestServerVersion);
    }

    [Fact]
    public async Task A_sid_impersonation_sends_no_anchor_mailbox()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Inbox());
        using var client = TestClients.Create(handler);

        await client.GetFolderAsync(new MailboxIdentity("S-1-5-21-1-2-3-1013", ConnectingSidKind.SID), "inbox", null, default);

        Assert.Null(handler.Requests[0].Header("X-AnchorMailbox"));
    }

    [Theory]
    [InlineData("inbox", "DistinguishedFolderId")]
    [InlineData("sentitems", "DistinguishedFolderId")]
    [InlineData("AAMkADk0ZjNlNDFhLTAxNjMtNDMzMi1hZWZiLWI3MjgzZWZmNWZmZAAuAAAAAAA1r6ZAh3TUTZ3XkQnWUvAgAQBlR3Me1H8nTq3yZ", "FolderId")]
    [InlineData("Inbox", "FolderId")]
    public async Task A_folder_argument_is_a_distinguished_name_only_when_the_schema_lists_it(string folder, string element)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.SyncItemsPage("s", true, string.Empty));
        using var client = TestClients.Create(handler);

        await client.SyncFolderItemsAsync(TestClients.Alice, folder, null, 10, null, default);

        var id = handler.Requests[0].Operation.Element(XName.Get("SyncFolderId", Soap.MessagesNs))!.Elements().Single();
        Assert.Equal((element, folder), (id.Name.LocalName, (string)id.Attribute("Id")!));
    }

    [Fact]
    public async Task Sync_requests_ask_for_ids_only_and_send_the_state_and_page_size()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.SyncItemsPage("s2", true, string.Empty));
        using var client = TestClients.Create(handler);

        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "s1", 512, null, default);

        var operation = handler.Requests[0].Operation;
        XNamespace m = Soap.MessagesNs, t = Soap.TypesNs;
        Assert.Equal("IdOnly", operation.Element(m + "ItemShape")!.Element(t + "BaseShape")!.Value);
        Assert.Null(operation.Element(m + "ItemShape")!.Element(t + "AdditionalProperties"));
        Assert.Equal(("s1", "512", "NormalItems"), (operation.Element(m + "SyncState")!.Value, operation.Element(m + "MaxChangesReturned")!.Value, operation.Element(m + "SyncScope")!.Value));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(513)]
    public async Task MaxChangesReturned_outside_1_to_512_is_refused_before_sending(int max)
    {
        var handler = new ScriptedHandler();
        using var client = TestClients.Create(handler);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, max, null, default));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task The_hierarchy_is_synced_from_msgfolderroot_with_the_folder_properties_the_store_keeps()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("SyncFolderHierarchy", Soap.Success("SyncFolderHierarchy",
            "<m:SyncState>h1</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes/>")));
        using var client = TestClients.Create(handler);

        var page = await client.SyncFolderHierarchyAsync(TestClients.Alice, null, null, default);

        Assert.Equal(("h1", true, 0), (page.SyncState, page.IncludesLastFolderInRange, page.Changes.Count));
        XNamespace m = Soap.MessagesNs, t = Soap.TypesNs;
        var operation = handler.Requests[0].Operation;
        Assert.Equal("msgfolderroot", (string)operation.Element(m + "SyncFolderId")!.Element(t + "DistinguishedFolderId")!.Attribute("Id")!);
        Assert.Null(operation.Element(m + "SyncState"));
        Assert.Equal(
            new[] { "folder:ParentFolderId", "folder:DisplayName", "folder:FolderClass", "folder:TotalCount", "folder:UnreadCount", "folder:ChildFolderCount" },
            operation.Descendants(t + "FieldURI").Select(f => (string)f.Attribute("FieldURI")!));
    }

    [Fact]
    public async Task Bearer_tokens_come_from_the_source_for_each_request_and_never_appear_in_errors()
    {
        var tokens = new FakeTokenSource();
        var handler = new ScriptedHandler().ThenXml(Soap.Inbox()).Then(_ => Responses.Status(HttpStatusCode.Forbidden));
        using var client = TestClients.Create(handler, out _, authenticator: new BearerTokenAuthenticator(tokens));

        await client.GetFolderAsync(TestClients.Alice, "inbox", null, default);
        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("Bearer", "token-1"), (handler.Requests[0].Authorization!.Scheme, handler.Requests[0].Authorization!.Parameter));
        Assert.Equal(new[] { false, false }, tokens.Calls);
        Assert.Equal(("EwsForbidden", 403), (error.ErrorId, error.HttpStatus));
        Assert.DoesNotContain("token-1", error.ToString());
    }

    [Fact]
    public async Task A_401_asks_for_a_fresh_token_once_and_the_retry_succeeds()
    {
        var tokens = new FakeTokenSource();
        var handler = new ScriptedHandler().Then(_ => Responses.Status(HttpStatusCode.Unauthorized)).ThenXml(Soap.Inbox());
        using var client = TestClients.Create(handler, out var waits, authenticator: new BearerTokenAuthenticator(tokens));
        var metrics = new CallMetrics();

        var folder = await client.GetFolderAsync(TestClients.Alice, "inbox", metrics, default);

        Assert.Equal("Inbox", folder.DisplayName);
        Assert.Equal(new[] { false, true }, tokens.Calls);
        Assert.Equal(new[] { "token-1", "token-2" }, handler.Requests.Select(r => r.Authorization!.Parameter));
        Assert.NotEqual(handler.Requests[0].Header("client-request-id"), handler.Requests[1].Header("client-request-id"));
        Assert.Equal((2, 1), (metrics.Requests, metrics.Retries));
        Assert.Empty(waits);
    }

    [Fact]
    public async Task A_second_401_fails_with_EwsUnauthorized_and_the_reconnect_advice()
    {
        var tokens = new FakeTokenSource();
        var handler = new ScriptedHandler().Then(_ => Responses.Status(HttpStatusCode.Unauthorized)).Then(_ => Responses.Status(HttpStatusCode.Unauthorized));
        using var client = TestClients.Create(handler, out _, authenticator: new BearerTokenAuthenticator(tokens));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsUnauthorized", InboxErrorKind.AuthenticationError, false, 401), (error.ErrorId, error.Kind, error.IsTransient, error.HttpStatus));
        Assert.Equal(SyncFault.OrganizationSignIn, error.Fault);
        Assert.Contains("Connect-InboxImpersonation", error.RecommendedAction);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Basic_credentials_are_sent_as_utf8_and_a_401_is_not_retried()
    {
        using var password = Secure("pässword:1");
        using var basic = new BasicAuthenticator(@"CONTOSO\svc-inbox", password);
        var handler = new ScriptedHandler().Then(_ => Responses.Status(HttpStatusCode.Unauthorized));
        using var client = TestClients.Create(handler, out _, authenticator: basic);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        var sent = handler.Requests.Single().Authorization!;
        Assert.Equal(("Basic", @"CONTOSO\svc-inbox:pässword:1"), (sent.Scheme, Encoding.UTF8.GetString(Convert.FromBase64String(sent.Parameter!))));
        Assert.Equal("EwsUnauthorized", error.ErrorId);
        Assert.DoesNotContain("pässword", error.ToString());
        Assert.DoesNotContain("pässword", basic.ToString());
    }

    [Theory]
    [InlineData("http://mail.contoso.com/EWS/Exchange.asmx", true)]
    [InlineData("http://10.0.0.5/EWS/Exchange.asmx", true)]
    [InlineData("http://127.0.0.1:8080/EWS/Exchange.asmx", false)]
    [InlineData("http://localhost/EWS/Exchange.asmx", false)]
    [InlineData("https://mail.contoso.com/EWS/Exchange.asmx", false)]
    public void Credentials_are_refused_over_plain_http_except_to_this_machine(string url, bool refused)
    {
        using var password = Secure("secret");
        var options = new EwsClientOptions(new Uri(url));
        IEwsAuthenticator[] authenticators = { new BasicAuthenticator("svc", password), new BearerTokenAuthenticator(new FakeTokenSource()) };

        foreach (var authenticator in authenticators)
        {
            var error = Record.Exception(() => new EwsClient(options, authenticator, new ScriptedHandler()).Dispose());
            if (refused)
            {
                var ews = Assert.IsType<EwsException>(error);
                Assert.Equal(authenticator is BasicAuthenticator ? "BasicAuthRequiresHttps" : "BearerAuthRequiresHttps", ews.ErrorId);
                Assert.Equal(InboxErrorKind.InvalidArgument, ews.Kind);
            }
            else
            {
                Assert.Null(error);
            }
        }
    }

    [Fact]
    public void An_access_token_never_shows_its_text()
    {
        var token = new AccessToken("eyJ0eXAiOiJKV1QiLCJhbGciOi.secret", new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

        Assert.Equal("AccessToken(expires 2030-01-02 03:04:05Z)", token.ToString());
    }

    [Fact]
    public void Options_refuse_values_that_cannot_work()
    {
        var options = new EwsClientOptions(TestClients.Endpoint);

        Assert.Throws<ArgumentException>(() => new EwsClientOptions(new Uri("ftp://mail.contoso.com/EWS")));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RequestTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxResponseBytes = 0);
        Assert.Throws<ArgumentException>(() => options.UserAgent = "InboxPS/1.0\r\nX-Evil: 1");
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Retry.MaxAttempts = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Retry.BaseDelay = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Retry.MaxDelay = TimeSpan.FromDays(30));
    }

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        return secure;
    }
}
