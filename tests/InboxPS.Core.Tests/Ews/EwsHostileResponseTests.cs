using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>
/// Broken and hostile servers: each must end in a clear EwsException within the timeout, never a hang, a crash or
/// unbounded memory. Timeouts are short; every await has a generous guard so a regression fails instead of hanging.
/// </summary>
public sealed class EwsHostileResponseTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    private static readonly string s_openPage =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
        $"<s:Envelope xmlns:s=\"{Soap.SoapNs}\"><s:Body><m:SyncFolderItemsResponse xmlns:m=\"{Soap.MessagesNs}\" xmlns:t=\"{Soap.TypesNs}\">" +
        "<m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>";

    private const string CreateChange = "<t:Create><t:Message><t:ItemId Id=\"AAMkADBhAAA=\" ChangeKey=\"CQAAABYA\"/></t:Message></t:Create>";

    [Theory]
    [InlineData("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>")]
    [InlineData("<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&xxe;</s:Body></s:Envelope>")]
    [InlineData("<!DOCTYPE html><html><body>Sign in</body></html>")]
    public async Task A_DTD_is_never_processed(string body)
    {
        var error = await Fails(_ => Responses.Xml("<?xml version=\"1.0\"?>" + body));

        Assert.Equal(("EwsInvalidResponse", InboxErrorKind.InvalidData, false), (error.ErrorId, error.Kind, error.IsTransient));
        Assert.Contains("DTD", error.Message);
        Assert.DoesNotContain("root:", error.ToString());
    }

    [Fact]
    public async Task An_endless_stream_of_changes_stops_at_the_size_limit_having_read_little_more()
    {
        var body = new GeneratedStream(s_openPage + "<m:Changes>", CreateChange, 2L * 1024 * 1024 * 1024);

        var error = await Fails(_ => Streamed(body), o => o.MaxResponseBytes = 1024 * 1024);

        Assert.Equal(("EwsResponseTooLarge", InboxErrorKind.LimitsExceeded, "ResponseTooLarge"), (error.ErrorId, error.Kind, error.ResponseCode));
        Assert.InRange(body.Served, 1024 * 1024, 2 * 1024 * 1024);
    }

    [Fact]
    public async Task An_endless_text_value_stops_at_the_size_limit_too()
    {
        var body = new GeneratedStream(s_openPage + "<m:SyncState>", "H4sIAAAAAAAEAO29B2AcSZY", 2L * 1024 * 1024 * 1024);

        var error = await Fails(_ => Streamed(body), o => o.MaxResponseBytes = 1024 * 1024);

        Assert.Equal("EwsResponseTooLarge", error.ErrorId);
        Assert.InRange(body.Served, 1024 * 1024, 2 * 1024 * 1024);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_without_reading_the_body()
    {
        var body = new GeneratedStream(s_openPage, CreateChange, 2L * 1024 * 1024 * 1024);

        var error = await Fails(_ =>
        {
            var response = Streamed(body);
            response.Content.Headers.ContentLength = body.Length;
            return response;
        });

        Assert.Equal("EwsResponseTooLarge", error.ErrorId);
        Assert.Equal(0, body.Served);
    }

    [Fact]
    public async Task A_body_that_stops_mid_element_is_a_transient_truncated_response()
    {
        var page = Soap.SyncItemsPage("s", true, CreateChange + CreateChange);

        var error = await Fails(_ => Responses.Xml(page[..(page.IndexOf("ChangeKey", StringComparison.Ordinal) + 4)]));

        Assert.Equal(("EwsInvalidResponse", true), (error.ErrorId, error.IsTransient));
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData("text/html", "<html><head><title>Proxy login</title></head><body>Please sign in</body></html>", "'text/html'")]
    [InlineData("application/json", "{\"error\":\"nope\"}", "'application/json'")]
    public async Task A_body_that_is_not_xml_names_the_status_and_content_type(string contentType, string body, string named)
    {
        var error = await Fails(_ => Responses.Status(HttpStatusCode.OK, body, contentType));

        Assert.Equal(("EwsInvalidResponse", false, 200), (error.ErrorId, error.IsTransient, error.HttpStatus));
        Assert.Contains("HTTP 200", error.Message);
        Assert.Contains(named, error.Message);
        Assert.Contains("proxy", error.RecommendedAction);
    }

    [Theory]
    [InlineData("<html><body>Sign in</body></html>", "not a SOAP envelope")]
    [InlineData("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>", "not SOAP 1.1")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/></s:Envelope>", "no Body")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>", "body is empty")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetItemResponse/></s:Body></s:Envelope>", "not <SyncFolderItemsResponse>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><SyncFolderItemsResponse/></s:Body></s:Envelope>", "no <SyncFolderItemsResponseMessage>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header></s:Body></s:Envelope>", "not well-formed")]
    public async Task Xml_that_is_not_an_answer_says_what_is_wrong(string body, string problem)
    {
        var error = await Fails(_ => Responses.Xml(body));

        Assert.Equal(("EwsInvalidResponse", false), (error.ErrorId, error.IsTransient));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public async Task Deep_nesting_is_read_without_recursion()
    {
        var nested = string.Concat(Enumerable.Repeat("<x>", 100_000)) + string.Concat(Enumerable.Repeat("</x>", 100_000));
        var handler = new ScriptedHandler().ThenXml(Soap.SyncItemsPage("s", true, CreateChange + nested + CreateChange));
        using var client = TestClients.Create(handler);

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default).WaitAsync(s_guard);

        Assert.Equal(2, page.Changes.Count);
    }

    [Fact]
    public async Task Repeated_containers_are_read_once_each_and_the_first_value_wins()
    {
        var folders = "<m:Folders><t:Folder><t:FolderId Id=\"F1=\"/></t:Folder></m:Folders>";
        var handler = new ScriptedHandler()
            .ThenXml(Soap.Response("GetFolder", Soap.Success("GetFolder", folders + folders.Replace("F1=", "F2=", StringComparison.Ordinal))))
            .ThenXml(Soap.Response("GetItem", Soap.Success("GetItem",
                "<m:Items><t:Message><t:ItemId Id=\"I1=\"/></t:Message></m:Items><m:Items><t:Message><t:ItemId Id=\"I2=\"/></t:Message></m:Items>")));
        using var client = TestClients.Create(handler);

        // On another thread: a reader that loops on an unread element spins without ever yielding.
        var folder = await Task.Run(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default)).WaitAsync(s_guard);
        var items = await Task.Run(() => client.GetItemsAsync(TestClients.Alice, new[] { "I1=" }, false, null, default)).WaitAsync(s_guard);

        Assert.Equal(("F1=", "I1="), (folder.FolderId, items.Single().ItemId));
    }

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_times_out()
    {
        await using var server = new LoopbackServer((_, stop) => Task.Delay(Timeout.Infinite, stop));
        using var client = Loopback(server.Url, TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default).WaitAsync(s_guard));

        Assert.Equal(("EwsTimeout", InboxErrorKind.OperationTimeout, true, "Timeout"), (error.ErrorId, error.Kind, error.IsTransient, error.ResponseCode));
        Assert.Contains("within 0.5 s", error.Message);
    }

    [Fact]
    public async Task A_body_that_stalls_after_the_headers_times_out()
    {
        await using var server = new LoopbackServer(async (stream, stop) =>
        {
            await LoopbackServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n" + s_openPage, stop);
            await Task.Delay(Timeout.Infinite, stop);
        });
        using var client = Loopback(server.Url, TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default).WaitAsync(s_guard));

        Assert.Equal("EwsTimeout", error.ErrorId);
    }

    [Fact]
    public async Task A_connection_closed_mid_body_is_a_transient_connection_failure()
    {
        await using var server = new LoopbackServer((stream, stop) =>
            LoopbackServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n" + s_openPage, stop));
        using var client = Loopback(server.Url, TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default).WaitAsync(s_guard));

        Assert.Equal(("EwsConnectionFailed", "ConnectionReset", true), (error.ErrorId, error.ResponseCode, error.IsTransient));
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_connection_failure_naming_the_host()
    {
        var port = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        port.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)port.LocalEndpoint).Port}/EWS/Exchange.asmx");
        port.Stop();
        using var client = Loopback(url, TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default).WaitAsync(s_guard));

        Assert.Equal(("EwsConnectionFailed", InboxErrorKind.ConnectionError, true), (error.ErrorId, error.Kind, error.IsTransient));
        Assert.Contains("127.0.0.1", error.RecommendedAction);
    }

    [Fact]
    public async Task A_gzip_bomb_is_stopped_at_the_decompressed_limit_by_the_production_handler()
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var change = Encoding.UTF8.GetBytes(CreateChange);
            gzip.Write(Encoding.UTF8.GetBytes(s_openPage + "<m:Changes>"));
            for (var written = 0L; written < 64L * 1024 * 1024; written += change.Length)
            {
                gzip.Write(change);
            }
        }

        var bomb = compressed.ToArray();
        await using var server = new LoopbackServer(async (stream, stop) =>
        {
            await LoopbackServer.WriteAsync(stream,
                $"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: gzip\r\nContent-Length: {bomb.Length}\r\nConnection: close\r\n\r\n", stop);
            await stream.WriteAsync(bomb, stop);
        });
        using var client = Loopback(server.Url, TimeSpan.FromSeconds(10), maxResponseBytes: 1024 * 1024);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default).WaitAsync(s_guard));

        Assert.Equal("EwsResponseTooLarge", error.ErrorId);
        Assert.True(bomb.Length < 1024 * 1024, "the compressed body itself is under the limit");
    }

    [Fact]
    public async Task The_production_handler_reads_a_compressed_answer_and_asks_for_one()
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Soap.Inbox()));
        }

        var body = compressed.ToArray();
        await using var server = new LoopbackServer(async (stream, stop) =>
        {
            await LoopbackServer.WriteAsync(stream,
                $"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Encoding: gzip\r\nContent-Length: {body.Length}\r\n\r\n", stop);
            await stream.WriteAsync(body, stop);
        });
        using var client = Loopback(server.Url, TimeSpan.FromSeconds(10));

        var folder = await client.GetFolderAsync(TestClients.Alice, "inbox", null, default).WaitAsync(s_guard);

        Assert.Equal(("Inbox", 3), (folder.DisplayName, folder.UnreadCount));
        Assert.Matches("(?im)^Accept-Encoding:.*gzip", server.LastRequestHeaders);
    }

    private static async Task<EwsException> Fails(Func<RecordedRequest, HttpResponseMessage> response, Action<EwsClientOptions>? configure = null)
    {
        using var client = TestClients.Create(new ScriptedHandler().Then(response), o =>
        {
            o.Retry.MaxAttempts = 1;
            configure?.Invoke(o);
        });
        return await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default).WaitAsync(s_guard));
    }

    private static HttpResponseMessage Streamed(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/xml");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    // The production configuration: no handler passed, so the shared handler (decompression, no redirects) is used.
    private static EwsClient Loopback(Uri url, TimeSpan timeout, long maxResponseBytes = 64 * 1024 * 1024)
    {
        var options = new EwsClientOptions(url) { RequestTimeout = timeout, MaxResponseBytes = maxResponseBytes };
        options.Retry.MaxAttempts = 1;
        return new EwsClient(options, new BearerTokenAuthenticator(new FakeTokenSource()));
    }
}
