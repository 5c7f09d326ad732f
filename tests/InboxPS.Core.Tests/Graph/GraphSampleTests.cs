using System.Net;
using System.Text;
using InboxPS.Core.Graph;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Graph.Support;

namespace InboxPS.Core.Tests.Graph;

/// <summary>The client against Microsoft's documented requests and answers, read from ../shared at test time.</summary>
public sealed class GraphSampleTests
{
    [SharedFact]
    public async Task A_documented_round_pages_to_its_deltaLink_copying_each_link_verbatim()
    {
        var handler = new ScriptedHandler()
            .Then(_ => GraphSamples.Response("messages-delta-01-initial-response-nextlink.json"))
            .Then(_ => GraphSamples.Response("messages-delta-02-nextlink-response-nextlink.json"))
            .Then(_ => GraphSamples.Response("messages-delta-03-final-response-deltalink.json"));
        using var graph = new GraphTestClient(handler, o => o.PageSize = 2);

        var first = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "AQMkADNkNAAAgEMAAAA", null, graph.Metrics, default);
        var second = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "AQMkADNkNAAAgEMAAAA", first.Link, graph.Metrics, default);
        var last = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "AQMkADNkNAAAgEMAAAA", second.Link, graph.Metrics, default);

        Assert.Equal((2, 2, 1), (first.Entries.Count, second.Entries.Count, last.Entries.Count));
        Assert.Equal((false, false, true), (first.IsLast, second.IsLast, last.IsLast));
        Assert.Equal(
            "https://graph.microsoft.com/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY",
            last.DeltaLink);

        // The documented requests of pages 2 and 3 are exactly the nextLinks of pages 1 and 2 (the docs print them with
        // the /mailfolders/id/ syntax; the links themselves use the key syntax and are what must be sent).
        var requests = handler.Requests;
        Assert.Equal(first.NextLink, requests[1].Uri.OriginalString);
        Assert.Equal(second.NextLink, requests[2].Uri.OriginalString);
        Assert.Equal("https://graph.microsoft.com/v1.0/me/mailfolders('AQMkADNkNAAAgEMAAAA')/messages/delta?$skiptoken=GwcBoTmPuoTQWfcsAbkYM",
            requests[1].Uri.OriginalString);

        // As in every documented request of the round: the page size preference on every page.
        Assert.All(requests, r => Assert.Contains("odata.maxpagesize=2", r.Header("Prefer")));
        Assert.Equal(3, graph.Metrics.Requests);

        var holiday = first.Entries[0].Value!;
        Assert.Equal(("AAMkADNkNAAASq35xAAA=", "Holiday hours update", "Dana Swope <danas@contoso.com>", false),
            (holiday.Id, holiday.Subject, holiday.Sender, holiday.IsRead));

        // The etag carries Outlook's change key.
        Assert.Equal("CQAAABYAAAARn2vdzPFjSbaPPxzjlzOTAAASsKZz", holiday.ChangeKey);
    }

    [SharedFact]
    public async Task The_next_documented_round_reports_a_removal_and_an_update_whose_read_flag_is_a_string()
    {
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response("messages-delta-04-next-round-response-removed-and-updated.json"));
        using var graph = new GraphTestClient(handler);
        var deltaLink = GraphSamples.RequestUrl("messages-delta-04-next-round-request.http");

        var page = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "AQMkADNkNAAAgEMAAAA", deltaLink, null, default);

        Assert.Equal(deltaLink, handler.Requests[0].Uri.OriginalString);
        Assert.True(page.IsLast);
        var removed = page.Entries[0];
        Assert.Equal(("AAMkADk0MGFkODE3LWE4MmYtNDRhOS0Dh_6qB-pB2Sa2pUum19a6YAAKnLuxoAAA=", true, "deleted"), (removed.Id, removed.IsRemoved, removed.RemovedReason));
        // The update carries some properties only: a partial item, whose missing ones are "unchanged", not null.
        var updated = page.Entries[1].Value!;
        Assert.True(updated.IsRead);
        Assert.Equal(MailItemProperties.ChangeKey | MailItemProperties.Subject | MailItemProperties.Sender | MailItemProperties.IsRead, updated.Properties);
    }

    [SharedFact]
    public async Task A_deltaLink_carrying_a_skiptoken_still_ends_the_round()
    {
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response("messages-delta-changetype-created-03-next-round-response.json"));
        using var graph = new GraphTestClient(handler);

        var page = await graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "folder", null, null, default);

        Assert.True(page.IsLast);
        Assert.Contains("$skiptoken=", page.DeltaLink);
    }

    [SharedFact]
    public async Task The_documented_folder_page_without_ids_is_refused_as_misshapen()
    {
        // The API reference prints placeholder folders without an id; a real page always has one.
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response("mailfolders-delta-response-nextlink.http"));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderChangesAsync(GraphTestClient.Alice, null, null, default));

        Assert.Equal(GraphErrorIds.InvalidResponse, error.ErrorId);
        Assert.Contains("'id'", error.Message);
    }

    [SharedFact]
    public async Task The_documented_429s_fractional_Retry_After_is_over_the_held_wait_so_the_call_ends_with_it()
    {
        var handler = new ScriptedHandler()
            .Then(_ => GraphSamples.Response("error-429-too-many-requests.http"))
            .Then(_ => GraphSamples.Response("messages-delta-03-final-response-deltalink.json"));
        using var graph = new GraphTestClient(handler);

        var error = await Assert.ThrowsAsync<GraphException>(() =>
            graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "folder", null, graph.Metrics, default));

        // 2.128 s, read exactly, is more than a worker sleeps itself (2 s): the engine parks the mailbox for it.
        Assert.Equal((GraphErrorIds.Throttled, TimeSpan.FromSeconds(2.128)), (error.ErrorId, error.BackOff));
        Assert.Empty(graph.Waits);
        Assert.Equal((1, 0), (graph.Metrics.Requests, graph.Metrics.Retries));
    }

    public static TheoryData<string, int, string, SyncFault> ErrorSamples() => new()
    {
        { "error-403-erroraccessdenied-application-access-policy.json", 403, GraphErrorIds.AccessDenied, SyncFault.AccessDenied },
        { "from-issues/error-403-erroraccessdenied-access-is-denied.json", 403, GraphErrorIds.AccessDenied, SyncFault.AccessDenied },
        { "from-issues/error-mailboxnotenabledforrestapi.json", 404, GraphErrorIds.MailboxNotEnabled, SyncFault.MailboxNotFound },
        { "from-issues/error-404-resourcenotfound.json", 404, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound },
        { "from-issues/error-errorinvaliduser.json", 404, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound },
        { "from-issues/error-errorinvaliduser.json", 400, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound },
        { "from-issues/error-syncstatenotfound.json", 410, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState },
        { "from-issues/error-syncstatenotfound.json", 400, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState },
        { "from-issues/error-404-erroritemnotfound-outlookrest.json", 404, GraphErrorIds.FolderNotFound, SyncFault.FolderNotFound },
        { "from-issues/error-429-applicationthrottled-mailboxconcurrency.json", 429, GraphErrorIds.Throttled, SyncFault.Throttled },
        { "error-body-generic-example.json", 416, GraphErrorIds.RequestFailed, SyncFault.None },
    };

    [SharedTheory]
    [MemberData(nameof(ErrorSamples))]
    public async Task Error_bodies_seen_in_the_field_map_by_their_code(string sample, int status, string errorId, SyncFault fault)
    {
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response(sample, (HttpStatusCode)status));
        using var graph = new GraphTestClient(handler, o => o.Retry.MaxAttempts = 1);

        // A folder's messages/delta: the request every sync makes most.
        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "folder", null, null, default));

        Assert.Equal((errorId, fault), (error.ErrorId, error.Fault));
        Assert.Contains(GraphTestClient.Alice, error.Message);
        Assert.Equal(handler.Requests[0].Header("client-request-id"), error.RequestId);
        GraphClientTests.AssertNoToken(error, graph);
    }

    [SharedFact]
    public async Task The_documented_MIME_answer_is_returned_byte_for_byte()
    {
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response("message-mime-value-response.http"));
        using var graph = new GraphTestClient(handler);

        var mime = await graph.Client.GetMimeAsync(GraphTestClient.Alice, "4aade2547798441eab5188a7a2436bc1", null, default);

        Assert.Equal(GraphSamples.Body("message-mime-value-response.http"), Encoding.UTF8.GetString(mime));
        Assert.EndsWith("/v1.0/users/alice%40contoso.com/messages/4aade2547798441eab5188a7a2436bc1/$value", handler.Requests[0].Uri.AbsoluteUri);
    }

    [SharedFact]
    public async Task The_documented_id_translation_is_read()
    {
        var handler = new ScriptedHandler().Then(_ => GraphSamples.Response("translateexchangeids-response.http"));
        using var graph = new GraphTestClient(handler);

        var translated = Assert.Single(await graph.Client.TranslateExchangeIdsAsync(GraphTestClient.Alice, new[] { "AQMkAGM2..." }, null, default));

        Assert.Equal(("AQMkAGM2...", "AAkALgAA...", (string?)null), (translated.SourceId, translated.TargetId, translated.ErrorCode));
    }
}
