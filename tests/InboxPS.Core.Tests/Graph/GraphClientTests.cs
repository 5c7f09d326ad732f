using System.Net;
using System.Net.Http.Headers;
using InboxPS.Core.Graph;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Graph.Support;
using static InboxPS.Core.Tests.Graph.Support.GraphResponses;

namespace InboxPS.Core.Tests.Graph;

/// <summary>What every request carries, tokens, retries and their waits, and what the client refuses to read or send.</summary>
public sealed class GraphClientTests
{
    private const string Folder = "AAMkFolder/+=";
    private static readonly string s_next = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders('x')/messages/delta?$skiptoken=abc";
    private static readonly string s_delta = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders('x')/messages/delta?$deltatoken=def";

    [Fact]
    public async Task Every_request_carries_the_token_immutable_ids_a_fresh_request_id_and_on_delta_the_page_size()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Json(Page(s_next, null, Message("m1"))))
            .Then(_ => Json(Page(null, s_delta)))
            .Then(_ => Json("""{"id":"inbox-id","displayName":"Inbox","parentFolderId":"root"}"""))
            .Then(_ => Json(Message("m1")))
            .Then(_ => Json("""{"value":[]}"""));
        using var graph = new GraphTestClient(handler, o => o.PageSize = 50);

        var first = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, null, null, default);
        await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, first.Link, null, default);
        await graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default);
        await graph.Client.GetMessageAsync(GraphTestClient.Alice, "m1", null, default);
        await graph.Client.TranslateExchangeIdsAsync(GraphTestClient.Alice, new[] { "ews-id" }, null, default);

        var requests = handler.Requests;
        Assert.All(requests, r =>
        {
            Assert.Equal(("Bearer", "token-1"), (r.Authorization?.Scheme, r.Authorization?.Parameter));
            Assert.Contains("IdType=\"ImmutableId\"", r.Header("Prefer"));
            Assert.True(Guid.TryParse(r.Header("client-request-id"), out _));
            Assert.StartsWith("InboxPS/", r.Header("User-Agent"));
        });
        Assert.Equal(requests.Count, requests.Select(r => r.Header("client-request-id")).Distinct().Count());
        Assert.All(requests.Take(2), r => Assert.Contains("odata.maxpagesize=50", r.Header("Prefer")));
        Assert.DoesNotContain("maxpagesize", requests[2].Header("Prefer"));

        // The first page is built from the folder (escaped) and the selection; the next is the nextLink, verbatim.
        Assert.Equal("https://graph.microsoft.com/v1.0/users/alice%40contoso.com/mailFolders/AAMkFolder%2F%2B%3D/messages/delta?$select="
                     + string.Join(",", GraphClient.MessageProperties), requests[0].Uri.OriginalString);
        Assert.Equal(s_next, requests[1].Uri.OriginalString);
        Assert.Equal("https://graph.microsoft.com/v1.0/users/alice%40contoso.com/mailFolders/inbox?$select=displayName,parentFolderId",
            requests[2].Uri.OriginalString);
        Assert.Equal(HttpMethod.Post, requests[4].Method);
        Assert.Equal("""{"inputIds":["ews-id"],"sourceIdType":"ewsId","targetIdType":"restImmutableEntryId"}""", requests[4].Text);
    }

    [Fact]
    public async Task The_client_keeps_no_gate_for_a_mailbox_once_its_requests_ended_without_a_back_off()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Json("""{"id":"inbox-a"}"""))
            .Then(_ => Json("""{"id":"inbox-b"}"""));
        using var graph = new GraphTestClient(handler);

        await Task.WhenAll(graph.Client.GetMailFolderAsync("a@contoso.com", "inbox", null, default),
            graph.Client.GetMailFolderAsync("b@contoso.com", "inbox", null, default));

        Assert.Equal(0, graph.Client.Transport.Gates.Count);
    }

    [Fact]
    public async Task MIME_of_several_messages_comes_in_one_batch_and_a_429_inside_it_is_waited_out_before_that_message_is_read_again()
    {
        string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
        var handler = new ScriptedHandler()
            .Then(_ => Json("{\"responses\":["
                            + "{\"id\":\"2\",\"status\":404,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":{\"error\":{\"code\":\"ErrorItemNotFound\"}}},"
                            + "{\"id\":\"0\",\"status\":200,\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\"" + B64("Subject: one") + "\"},"
                            + "{\"id\":\"1\",\"status\":429,\"headers\":{\"Retry-After\":\"1.5\"},\"body\":{\"error\":{\"code\":\"ApplicationThrottled\"}}}]}"))
            .Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("Subject: two") })
            .Then(_ => Error(HttpStatusCode.NotFound, "ErrorItemNotFound"));
        using var graph = new GraphTestClient(handler);

        var mime = await graph.Client.GetMimeBatchAsync(GraphTestClient.Alice, new[] { "m1", "m2", "gone" }, graph.Metrics, default);

        Assert.Equal(new[] { "Subject: one", "Subject: two", null }, mime.Select(m => m is null ? null : System.Text.Encoding.UTF8.GetString(m)));
        var batch = handler.Requests[0];
        Assert.Equal((HttpMethod.Post, "/v1.0/$batch"), (batch.Method, batch.Uri.AbsolutePath));
        Assert.Contains("\"url\":\"/users/alice%40contoso.com/messages/m2/$value\"", batch.Text);
        Assert.Contains("\"Prefer\":\"IdType=\\u0022ImmutableId\\u0022\"", batch.Text);

        // Each request the batch did not answer went again on its own, and only after the Retry-After one of them got:
        // it holds off every request of the mailbox (the test's waits do not sleep, so the second one waits it out too).
        Assert.Equal(new[] { "/v1.0/users/alice%40contoso.com/messages/m2/$value", "/v1.0/users/alice%40contoso.com/messages/gone/$value" },
            handler.Requests.Skip(1).Select(r => r.Uri.AbsolutePath));
        Assert.Equal(2, graph.Waits.Count);
        Assert.All(graph.Waits, wait => Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)));
        Assert.Equal(3, graph.Metrics.Requests);
    }

    [Fact]
    public async Task A_guest_principal_name_is_escaped_into_one_path_segment()
    {
        var handler = new ScriptedHandler().Then(_ => Json("""{"id":"inbox-id"}"""));
        using var graph = new GraphTestClient(handler);

        await graph.Client.GetMailFolderAsync("ann_fabrikam.com#EXT#@contoso.onmicrosoft.com", "inbox", null, default);

        Assert.Equal("/v1.0/users/ann_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com/mailFolders/inbox", handler.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_401_is_retried_once_with_a_refreshed_token()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken"))
            .Then(_ => Json("""{"id":"inbox-id"}"""));
        using var graph = new GraphTestClient(handler);

        await graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", graph.Metrics, default);

        Assert.Equal(new[] { false, true }, graph.Tokens.Calls);
        Assert.Equal(new[] { "token-1", "token-2" }, handler.Requests.Select(r => r.Authorization!.Parameter));
        Assert.Equal(2, graph.Metrics.Requests);
        Assert.Empty(graph.Waits);
    }

    [Fact]
    public async Task A_second_401_fails_the_organization_not_the_mailbox_and_names_no_token()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken"))
            .Then(_ => Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken"));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default));

        Assert.Equal((GraphErrorIds.Unauthorized, SyncFault.OrganizationSignIn, InboxErrorKind.AuthenticationError), (error.ErrorId, error.Fault, error.Kind));
        Assert.Equal(2, handler.Requests.Count);
        AssertNoToken(error, graph);
    }

    [Fact]
    public async Task A_Retry_After_as_an_HTTP_date_longer_than_the_held_wait_ends_the_call_with_the_back_off()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", retryAfter: DateTimeOffset.UtcNow.AddSeconds(30).ToString("R")))
            .Then(_ => Json("""{"id":"inbox-id"}"""));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default));

        // Not slept by the worker: the engine parks the mailbox for the back-off and takes another meanwhile.
        Assert.InRange(error.BackOff!.Value, TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(30));
        Assert.Single(handler.Requests);
        Assert.Empty(graph.Waits);
    }

    [Fact]
    public async Task A_later_request_of_a_mailbox_in_a_long_Retry_After_is_not_sent_and_carries_what_is_left()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", retryAfter: "30"))
            .Then(_ => Json("""{"id":"inbox-id"}"""));
        using var graph = new GraphTestClient(handler);
        await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default));

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "sentitems", null, default));

        Assert.Equal((GraphErrorIds.Throttled, SyncFault.Throttled, true), (error.ErrorId, error.Fault, error.IsTransient));
        Assert.InRange(error.BackOff!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        Assert.Single(handler.Requests);
        Assert.Empty(graph.Waits);
        // Another mailbox is not held off.
        await graph.Client.GetMailFolderAsync("bob@contoso.com", "inbox", null, default);
    }

    [Fact]
    public async Task Without_Retry_After_the_waits_grow_exponentially_and_the_attempts_are_bounded()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 4; i++)
        {
            handler.Then(_ => Error(HttpStatusCode.GatewayTimeout, "UnknownError"));
        }

        using var graph = new GraphTestClient(handler, o => o.Retry.MaxAttempts = 4);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderChangesAsync(GraphTestClient.Alice, null, graph.Metrics, default));

        Assert.Equal((GraphErrorIds.ServiceUnavailable, SyncFault.Unavailable, true), (error.ErrorId, error.Fault, error.IsTransient));
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal(3, graph.Waits.Count);
        Assert.InRange(graph.Waits[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.InRange(graph.Waits[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        // Capped at the held wait (2 s): a worker never sleeps longer than that in one go.
        Assert.InRange(graph.Waits[2], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(graph.Waits.Aggregate(TimeSpan.Zero, (a, b) => a + b), graph.Metrics.ThrottledFor);
        Assert.Contains(graph.TraceLines, l => l.Contains("no retry left"));
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_total_wait_budget_fails_at_once_as_throttled()
    {
        var handler = new ScriptedHandler().Then(_ => Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", retryAfter: "900"));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default));

        Assert.Equal((GraphErrorIds.Throttled, SyncFault.Throttled, TimeSpan.FromSeconds(900)), (error.ErrorId, error.Fault, error.BackOff));
        Assert.Empty(graph.Waits);
    }

    [Fact]
    public async Task Cancelling_during_a_back_off_stops_the_call()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new ScriptedHandler().Then(_ =>
        {
            cancel.Cancel();
            return Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", retryAfter: "1");
        });
        using var graph = new GraphTestClient(handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, cancel.Token));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Each_request_is_traced_with_operation_mailbox_status_and_request_id_but_no_header_or_body()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", retryAfter: "1.5"))
            .Then(_ => Json(Page(null, s_delta, Message("m1", subject: "Quarterly secrets"))));
        using var graph = new GraphTestClient(handler);

        await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, null, null, default);

        var ids = handler.Requests.Select(r => r.Header("client-request-id")!).ToArray();
        Assert.Equal(new[]
        {
            $"MessagesDelta {GraphTestClient.Alice}: HTTP 429 (client-request-id {ids[0]}).",
            $"MessagesDelta {GraphTestClient.Alice}: GraphThrottled (HTTP 429), retrying in ",
            $"MessagesDelta {GraphTestClient.Alice}: HTTP 200 (client-request-id {ids[1]}).",
        }, graph.TraceLines.Select(l => l.Contains("retrying") ? l[..l.IndexOf("retrying in ", StringComparison.Ordinal)] + "retrying in " : l));
        Assert.All(graph.TraceLines, l => Assert.DoesNotContain("token-", l));
        Assert.All(graph.TraceLines, l => Assert.DoesNotContain("Quarterly", l));
        Assert.All(graph.TraceLines, l => Assert.DoesNotContain("skiptoken", l));
    }

    public static TheoryData<string, string, string> HostileAnswers() => new()
    {
        { "malformed JSON", "{\"value\":[{\"id\":\"m1\",", "not well-formed JSON" },
        { "value is not an array", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":{}}""", "'value' is an object" },
        { "an entry is a string", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":["m1"]}""", "not an object" },
        { "an id is a number", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":[{"id":42}]}""", "'id' is a number" },
        { "a date is not a date", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":[{"id":"m1","sentDateTime":"yesterday"}]}""", "'sentDateTime'" },
        { "a flag is a number", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":[{"id":"m1","isRead":1}]}""", "'isRead' is a number" },
        { "a recipient is a string", """{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/x","value":[{"id":"m1","from":"eve"}]}""", "'from'" },
        { "no link at all", """{"value":[]}""", "neither @odata.nextLink nor @odata.deltaLink" },
        { "a link to another host", """{"@odata.nextLink":"https://graph.evil.example/v1.0/x?$skiptoken=1","value":[]}""", "points away from the Graph endpoint" },
        { "a link over plain http", """{"@odata.nextLink":"http://graph.microsoft.com/v1.0/x?$skiptoken=1","value":[]}""", "points away from the Graph endpoint" },
        { "nesting 10,000 deep", new string('[', 10_000), "not well-formed JSON" },
    };

    [Theory]
    [MemberData(nameof(HostileAnswers))]
    public async Task Hostile_or_malformed_answers_fail_the_mailbox_with_a_clear_error(string what, string body, string expected)
    {
        var handler = new ScriptedHandler().Then(_ => Json(body));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, null, null, default));

        Assert.True(error.ErrorId == GraphErrorIds.InvalidResponse, what);
        Assert.Contains(expected, error.Message);
        Assert.Contains(GraphTestClient.Alice, error.Message);
        Assert.Single(handler.Requests);
        AssertNoToken(error, graph);
    }

    [Fact]
    public async Task An_HTML_page_instead_of_JSON_is_named_as_such()
    {
        var handler = new ScriptedHandler().Then(_ => Responses.Status(HttpStatusCode.OK, "<html>sign in</html>", "text/html"));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default));

        Assert.Equal(GraphErrorIds.InvalidResponse, error.ErrorId);
        Assert.Contains("HTML page", error.Message);
    }

    [Fact]
    public async Task An_endless_body_is_not_read_past_the_limit()
    {
        var stream = new GeneratedStream("{\"value\":[\"", "xxxxxxxxxxxxxxxx", long.MaxValue);
        var handler = new ScriptedHandler().Then(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
            return response;
        });
        using var graph = new GraphTestClient(handler, o => o.MaxResponseBytes = 1024 * 1024);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderChangesAsync(GraphTestClient.Alice, null, null, default));

        Assert.Equal((GraphErrorIds.ResponseTooLarge, SyncFault.None), (error.ErrorId, error.Fault));
        Assert.InRange(stream.Served, 1024 * 1024, 1024 * 1024 + 200_000);
    }

    [Fact]
    public async Task A_MIME_message_over_its_limit_fails_that_item_before_its_body_is_read()
    {
        var handler = new ScriptedHandler().Then(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[4096]) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
            return response;
        });
        using var graph = new GraphTestClient(handler, o => o.MaxMimeBytes = 1000);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMimeAsync(GraphTestClient.Alice, "m1", null, default));

        Assert.Equal((GraphErrorIds.ResponseTooLarge, SyncFault.ItemFailed), (error.ErrorId, error.Fault));
        Assert.Contains("MaxMimeBytes", error.RecommendedAction);
    }

    [Theory]
    [InlineData("MNQ1c3luY3N0YXRl")]
    [InlineData("https://graph.microsoft.us/v1.0/users('a')/mailFolders('x')/messages/delta?$deltatoken=1")]
    public async Task A_stored_state_that_is_no_link_of_this_endpoint_restarts_the_folder_without_a_request(string state)
    {
        // An EWS SyncState left from before the organization switched to Graph, or another cloud's link.
        var handler = new ScriptedHandler();
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, state, null, default));

        Assert.Equal((GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState), (error.ErrorId, error.Fault));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ids_are_translated_a_thousand_per_call()
    {
        var ids = Enumerable.Range(0, 2500).Select(i => "ews-" + i).ToArray();
        var handler = new ScriptedHandler();
        for (var call = 0; call < 3; call++)
        {
            handler.Then(request =>
            {
                using var sent = System.Text.Json.JsonDocument.Parse(request.Text);
                var echoed = sent.RootElement.GetProperty("inputIds").EnumerateArray()
                    .Select(id => $$"""{"sourceId":"{{id.GetString()}}","targetId":"graph-{{id.GetString()}}"}""");
                return Json("{\"value\":[" + string.Join(",", echoed) + "]}");
            });
        }

        using var graph = new GraphTestClient(handler);

        var translated = await graph.Client.TranslateExchangeIdsAsync(GraphTestClient.Alice, ids, null, default);

        Assert.Equal(new[] { 1000, 1000, 500 },
            handler.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Text).RootElement.GetProperty("inputIds").GetArrayLength()));
        Assert.Equal(ids.Select(id => "graph-" + id), translated.Select(t => t.TargetId));
    }

    [Fact]
    public async Task An_id_that_cannot_be_translated_carries_its_error_code()
    {
        var handler = new ScriptedHandler().Then(_ => Json("""{"value":[{"sourceId":"bad","errorDetails":{"code":"ErrorInvalidIdMalformed","message":"Id is malformed."}}]}"""));
        using var graph = new GraphTestClient(handler);

        var translated = Assert.Single(await graph.Client.TranslateExchangeIdsAsync(GraphTestClient.Alice, new[] { "bad" }, null, default));

        Assert.Equal(("bad", (string?)null, "ErrorInvalidIdMalformed"), (translated.SourceId, translated.TargetId, translated.ErrorCode));
    }

    [Fact]
    public async Task Message_size_is_asked_for_only_when_enabled_and_read_from_PR_MESSAGE_SIZE()
    {
        var withSize = Message("m1").TrimEnd().TrimEnd('}') + ""","singleValueExtendedProperties":[{"id":"Integer 0xe08","value":"48213"}]}""";
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, s_delta, withSize)));
        using var graph = new GraphTestClient(handler, o => o.RequestMessageSize = true);

        var page = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, Folder, null, null, default);

        Assert.Equal(48213, page.Entries[0].Value!.Size);
        Assert.False(page.Entries[0].Value!.IsPartial);
        Assert.EndsWith("&$expand=singleValueExtendedProperties($filter=id%20eq%20'Integer%200x0E08')", handler.Requests[0].Uri.OriginalString);
    }

    internal static void AssertNoToken(Exception error, GraphTestClient graph)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain("token-", e.Message);
            Assert.DoesNotContain("token-", e.ToString());
            Assert.DoesNotContain("token-", (e as InboxException)?.RecommendedAction ?? string.Empty);
        }

        Assert.All(graph.TraceLines, l => Assert.DoesNotContain("token-", l));
    }
}
