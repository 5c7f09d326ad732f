using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Core.Graph;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Graph.Support;
using static InboxPS.Core.Tests.Graph.Support.GraphResponses;

namespace InboxPS.Core.Tests.Graph;

/// <summary>GraphMailboxProtocol as the engine sees it: pages of upserts, deletes and read flags, states that are links.</summary>
public sealed class GraphMailboxProtocolTests
{
    private const string Root = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders('inbox-id')/messages/delta";
    private static readonly MailboxTarget s_alice = new(GraphTestClient.Alice, MailboxAddressKind.SmtpAddress);

    [Fact]
    public async Task A_round_pages_through_nextLinks_and_empty_pages_to_its_deltaLink()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Json(Page(Root + "?$skiptoken=1", null, Message("m1"), Message("m2"))))
            .Then(_ => Json(Page(Root + "?$skiptoken=2", null)))
            .Then(_ => Json(Page(null, Root + "?$deltatoken=3", Message("m3"))));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var pages = new List<ItemPage>();
        string? state = null;
        do
        {
            var page = await session.SyncItemsAsync("inbox-id", state, includeMime: false, default);
            pages.Add(page);
            state = page.State;
        }
        while (!pages[^1].IsLast);

        Assert.Equal(new[] { Root + "?$skiptoken=1", Root + "?$skiptoken=2", Root + "?$deltatoken=3" }, pages.Select(p => p.State));
        Assert.Equal(new[] { 2, 0, 1 }, pages.Select(p => p.Upserts.Count));
        Assert.Equal(new[] { Root + "?$skiptoken=1", Root + "?$skiptoken=2" }, handler.Requests.Skip(1).Select(r => r.Uri.OriginalString));
        Assert.Equal(3, session.Requests);

        var m1 = pages[0].Upserts[0];
        Assert.Equal(("m1", "CK1", "<m1@contoso.com>", "conv-m1", "Hello"), (m1.Id, m1.ChangeKey, m1.InternetMessageId, m1.ConversationId, m1.Subject));
        Assert.Equal(("Dana Swope <danas@contoso.com>", "Alice <alice@contoso.com>; bob@contoso.com", (string?)null), (m1.Sender, m1.ToRecipients, m1.CcRecipients));
        Assert.Equal((DateTimeOffset.Parse("2026-11-02T08:00:00Z"), DateTimeOffset.Parse("2026-11-02T08:00:05Z")), (m1.Sent!.Value, m1.Received!.Value));
        Assert.Equal((false, false, (long?)null, (byte[]?)null), (m1.IsRead, m1.HasAttachments, m1.Size, m1.Mime));
    }

    [Fact]
    public async Task The_next_round_continues_from_the_stored_deltaLink_and_reports_removals_as_deletes()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=4", Removed("m1"), Removed("m2", "changed"), Message("m3", "Edited"))));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", Root + "?$deltatoken=3", includeMime: false, default);

        Assert.Equal(Root + "?$deltatoken=3", handler.Requests[0].Uri.OriginalString);
        Assert.Equal(new[] { "m1", "m2" }, page.Deletes);
        Assert.Equal("Edited", Assert.Single(page.Upserts).Subject);
        Assert.True(page.IsLast);
    }

    [Fact]
    public async Task Replays_within_a_page_leave_each_message_in_one_list_with_its_last_change()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=1",
            Message("m1", "first"), Message("m1", "second"),
            Message("m2"), Removed("m2"),
            Removed("m3"), Message("m3", "back"))));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", null, includeMime: false, default);

        Assert.Equal(new[] { ("m1", "second"), ("m3", "back") }, page.Upserts.Select(u => (u.Id, u.Subject!)));
        Assert.Equal(new[] { "m2" }, page.Deletes);
        Assert.Empty(page.ReadFlags);
    }

    [Fact]
    public async Task An_update_carrying_only_the_read_flag_is_a_read_flag_change_not_an_upsert_with_nulls()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=2",
            """{"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\"CK9\"","id":"m1","isRead":true}""",
            Message("m2"),
            """{"id":"m2","isRead":true,"changeKey":"CK10"}""")));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", Root + "?$deltatoken=1", includeMime: false, default);

        var flag = Assert.Single(page.ReadFlags);
        Assert.Equal(("m1", true, "CK9"), (flag.ItemId, flag.IsRead, flag.ChangeKey));

        // A read flag that follows a full entry in the same page lands on that entry.
        var m2 = Assert.Single(page.Upserts);
        Assert.Equal(("m2", true, "CK10", "Hello"), (m2.Id, m2.IsRead, m2.ChangeKey, m2.Subject));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task An_update_carrying_some_properties_travels_as_a_partial_item_without_a_request()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=2",
            """{"@odata.etag":"W/\"CK2\"","id":"m1","subject":"Renamed"}""",
            """{"@odata.etag":"W/\"CK7\"","id":"m2"}""")));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", Root + "?$deltatoken=1", includeMime: false, default);

        // m1: a new subject; m2: only a new version (a flag or a category changed, neither of them stored).
        var m1 = page.Upserts[0];
        Assert.Equal(("Renamed", "CK2", MailItemProperties.Subject | MailItemProperties.ChangeKey), (m1.Subject, m1.ChangeKey, m1.Properties));
        var m2 = page.Upserts[1];
        Assert.Equal(("CK7", MailItemProperties.ChangeKey), (m2.ChangeKey, m2.Properties));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Items_are_read_whole_on_request_and_one_deleted_meanwhile_is_a_delete()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Json(Message("m1", "Renamed", changeKey: "CK2")))
            .Then(_ => Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store."));
        using var graph = new GraphTestClient(handler);
        var reader = (IItemReader)new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await reader.ReadItemsAsync("inbox-id", new[] { "m1", "gone" }, includeMime: false, default);

        var m1 = Assert.Single(page.Upserts);
        Assert.False(m1.IsPartial);
        Assert.Equal(("Renamed", "CK2", "Dana Swope <danas@contoso.com>", (bool?)false), (m1.Subject, m1.ChangeKey, m1.Sender, m1.IsRead));
        Assert.Equal(new[] { "gone" }, page.Deletes);
        Assert.Equal(new[] { "/v1.0/users/alice%40contoso.com/messages/m1", "/v1.0/users/alice%40contoso.com/messages/gone" },
            handler.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.All(handler.Requests, r => Assert.Contains("$select=changeKey,", r.Uri.Query));
    }

    [Fact]
    public async Task A_partial_entry_after_a_full_one_in_the_same_page_updates_it_without_a_request()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=2",
            Message("m1", "Draft"), """{"id":"m1","subject":"Final","hasAttachments":true}""")));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", null, includeMime: false, default);

        var m1 = Assert.Single(page.Upserts);
        Assert.Equal(("Final", (bool?)true, "<m1@contoso.com>", "CK1"), (m1.Subject, m1.HasAttachments, m1.InternetMessageId, m1.ChangeKey));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_partial_entry_after_a_read_flag_change_carries_both()
    {
        var handler = new ScriptedHandler().Then(_ => Json(Page(null, Root + "?$deltatoken=2",
            """{"@odata.etag":"W/\"CK3\"","id":"m1","isRead":true}""",
            """{"@odata.etag":"W/\"CK4\"","id":"m1","subject":"Renamed"}""")));
        using var graph = new GraphTestClient(handler);

        var page = await new GraphMailboxProtocol(graph.Client).Open(s_alice).SyncItemsAsync("inbox-id", Root + "?$deltatoken=1", false, default);

        Assert.Empty(page.ReadFlags);
        var m1 = Assert.Single(page.Upserts);
        Assert.Equal(("Renamed", (bool?)true, "CK4"), (m1.Subject, m1.IsRead, m1.ChangeKey));
        Assert.Equal(MailItemProperties.Subject | MailItemProperties.IsRead | MailItemProperties.ChangeKey, m1.Properties);
    }

    [Fact]
    public async Task MIME_is_read_by_value_for_each_upsert_when_asked()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Json(Page(null, Root + "?$deltatoken=1", Message("m1"), Removed("m2"))))
            .Then(_ => Mime("Subject: Hello\r\n\r\nBody"));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncItemsAsync("inbox-id", null, includeMime: true, default);

        Assert.Equal("Subject: Hello\r\n\r\nBody", Encoding.UTF8.GetString(Assert.Single(page.Upserts).Mime!));
        Assert.Equal("/v1.0/users/alice%40contoso.com/messages/m1/$value", handler.Requests[1].Uri.AbsolutePath);
        Assert.Equal("*/*", handler.Requests[1].Header("Accept"));
        Assert.Contains("IdType=\"ImmutableId\"", handler.Requests[1].Header("Prefer"));
    }

    [Fact]
    public async Task A_page_holds_up_to_a_thousand_changes_and_a_hundred_when_their_MIME_is_read_too()
    {
        // MIME is held until its page is stored; properties alone are small, and each page saves a request's base cost.
        var handler = new ScriptedHandler()
            .Then(_ => Json(Page(null, Root + "?$deltatoken=1")))
            .Then(_ => Json(Page(null, Root + "?$deltatoken=2")));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        await session.SyncItemsAsync("inbox-id", null, includeMime: false, default);
        await session.SyncItemsAsync("inbox-id", Root + "?$deltatoken=1", includeMime: true, default);

        Assert.Contains("odata.maxpagesize=1000", handler.Requests[0].Header("Prefer"));
        Assert.Contains("odata.maxpagesize=100", handler.Requests[1].Header("Prefer"));
        Assert.DoesNotContain("odata.maxpagesize=1000", handler.Requests[1].Header("Prefer"));
    }

    [Fact]
    public async Task An_expired_state_fails_with_the_invalid_sync_state_fault_the_engine_restarts_on()
    {
        var handler = new ScriptedHandler().Then(_ => Error(HttpStatusCode.Gone, "SyncStateNotFound", "The sync state generation is not found"));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var error = await Assert.ThrowsAsync<GraphException>(() => session.SyncItemsAsync("inbox-id", Root + "?$skiptoken=9", false, default));

        Assert.Equal((GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState), (error.ErrorId, error.Fault));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Folders_come_from_mailFolders_delta_with_removals_and_the_last_word_per_folder()
    {
        const string Folders = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders/delta";
        var handler = new ScriptedHandler()
            .Then(_ => Json("{\"@odata.nextLink\":\"" + Folders + "?$skiptoken=1\",\"value\":["
                            + """{"id":"f1","displayName":"Projects","parentFolderId":"root"},{"id":"f2","displayName":"Old","parentFolderId":"root"},"""
                            + """{"id":"f1","displayName":"Projects 2026","parentFolderId":"root"}]}"""))
            .Then(_ => Json("{\"@odata.deltaLink\":\"" + Folders + "?$deltatoken=2\",\"value\":[{\"id\":\"f2\",\"@removed\":{\"reason\":\"deleted\"}}]}"));
        using var graph = new GraphTestClient(handler, o => o.PageSize = 25);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var first = await session.SyncFoldersAsync(null, default);
        var last = await session.SyncFoldersAsync(first.State, default);

        Assert.Equal("/v1.0/users/alice%40contoso.com/mailFolders/delta", handler.Requests[0].Uri.AbsolutePath);
        Assert.Contains("odata.maxpagesize=25", handler.Requests[0].Header("Prefer"));
        Assert.Equal(Folders + "?$skiptoken=1", handler.Requests[1].Uri.OriginalString);
        Assert.Equal(new[] { ("f1", "Projects 2026", "root"), ("f2", "Old", "root") },
            first.Changes.Select(c => (c.FolderId, c.Folder!.DisplayName!, c.Folder.ParentId!)));
        Assert.True(first.Changes.All(c => c.Folder!.HoldsMail));
        Assert.Equal((false, true, Folders + "?$deltatoken=2"), (first.IsLast, last.IsLast, last.State));
        Assert.Equal((MailChangeKind.Delete, "f2"), (last.Changes[0].Kind, last.Changes[0].FolderId));
    }

    [Fact]
    public async Task A_folder_update_missing_its_name_or_parent_is_read_whole_and_one_deleted_meanwhile_is_skipped()
    {
        const string Folders = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders/delta";
        var handler = new ScriptedHandler()
            .Then(_ => Json("{\"@odata.deltaLink\":\"" + Folders + "?$deltatoken=2\",\"value\":["
                            + """{"id":"f1","displayName":"Renamed"},{"id":"f2","parentFolderId":"f1"},{"id":"f3","displayName":"Same","parentFolderId":"root"}]}"""))
            .Then(_ => Json("""{"id":"f1","displayName":"Renamed","parentFolderId":"root"}"""))
            .Then(_ => Error(HttpStatusCode.NotFound, "ErrorItemNotFound"));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var page = await session.SyncFoldersAsync(Folders + "?$deltatoken=1", default);

        Assert.Equal(new[] { ("f1", "Renamed", "root"), ("f3", "Same", "root") },
            page.Changes.Select(c => (c.FolderId, c.Folder!.DisplayName!, c.Folder.ParentId!)));
        Assert.Equal(new[] { "/v1.0/users/alice%40contoso.com/mailFolders/f1", "/v1.0/users/alice%40contoso.com/mailFolders/f2" },
            handler.Requests.Skip(1).Select(r => r.Uri.AbsolutePath));
    }

    [Fact]
    public async Task The_preflight_reads_the_inbox_of_the_user_by_principal_name()
    {
        var handler = new ScriptedHandler().Then(_ => Json("""{"id":"inbox-id","displayName":"Inbox","parentFolderId":"root"}"""));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(new MailboxTarget("Alice.Smith@contoso.onmicrosoft.com", MailboxAddressKind.PrincipalName));

        var inbox = await session.GetWellKnownFolderAsync("Inbox", default);

        Assert.Equal(("inbox-id", "Inbox", "root"), (inbox.Id, inbox.DisplayName, inbox.ParentId));
        Assert.Equal("/v1.0/users/Alice.Smith%40contoso.onmicrosoft.com/mailFolders/inbox", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal(1, session.Requests);
    }

    [Fact]
    public async Task A_mailbox_the_app_may_not_read_fails_the_preflight_with_what_to_grant()
    {
        var handler = new ScriptedHandler().Then(_ => Error(HttpStatusCode.Forbidden, "ErrorAccessDenied", "Access to OData is disabled."));
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);

        var error = await Assert.ThrowsAsync<GraphException>(() => session.GetWellKnownFolderAsync("inbox", default));

        Assert.Equal((GraphErrorIds.AccessDenied, SyncFault.AccessDenied), (error.ErrorId, error.Fault));
        Assert.Contains("Application Mail.Read", error.RecommendedAction);
    }

    [Fact]
    public async Task Throttled_time_is_counted_per_session()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", retryAfter: "1.5"))
            .Then(_ => Json("""{"id":"inbox-id"}"""))
            .Then(_ => Json("""{"id":"inbox-id"}"""));
        using var graph = new GraphTestClient(handler);
        var protocol = new GraphMailboxProtocol(graph.Client);
        var throttled = protocol.Open(s_alice);
        var other = protocol.Open(new MailboxTarget("bob@contoso.com", MailboxAddressKind.SmtpAddress));

        await throttled.GetWellKnownFolderAsync("inbox", default);
        await other.GetWellKnownFolderAsync("inbox", default);

        Assert.Equal(2, throttled.Requests);
        Assert.InRange(throttled.ThrottledFor, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(1.65));
        Assert.Equal((1, TimeSpan.Zero), (other.Requests, other.ThrottledFor));
    }

    private static HttpResponseMessage Mime(string text)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text)) };
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        return response;
    }
}
