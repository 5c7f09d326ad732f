using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Core.Graph;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Graph.Support;
using static InboxPS.Core.Tests.Graph.Support.GraphResponses;

namespace InboxPS.Core.Tests.Graph;

/// <summary>Issue 15, big mailboxes over Graph: a delta page's link is read from the start of its answer, so the next
/// page is asked for while this one's entries are still arriving.</summary>
public sealed class GraphPageHeadTests
{
    private const string Root = "https://graph.microsoft.com/v1.0/users('alice%40contoso.com')/mailFolders('inbox-id')/messages/delta";
    private static readonly MailboxTarget s_alice = new(GraphTestClient.Alice, MailboxAddressKind.SmtpAddress);

    [Theory]
    [InlineData(Root + "?$skiptoken=1", null, false)]
    [InlineData(null, Root + "?$deltatoken=2", true)]
    public void The_link_is_read_once_its_bytes_have_arrived_and_not_before(string? next, string? delta, bool isLast)
    {
        var body = Encoding.UTF8.GetBytes(Page(next, delta, Message("m1"), Message("m2")));
        var link = next ?? delta!;
        var linkEnds = Encoding.UTF8.GetString(body).IndexOf(link, StringComparison.Ordinal) + link.Length + 1;

        for (var length = 0; length <= body.Length; length++)
        {
            var done = GraphPageHead.TryRead(body.AsSpan(0, length), out var read, out var last);

            Assert.Equal(length >= linkEnds, done);
            if (done)
            {
                Assert.Equal((link, isLast), (read, last));
            }
        }
    }

    [Theory]
    [InlineData("{\"value\":[],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/x\"}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"@odata.nextLink\":42,\"value\":[]}")]
    public void An_answer_without_a_link_before_its_entries_tells_none(string json)
    {
        Assert.True(GraphPageHead.TryRead(Encoding.UTF8.GetBytes(json), out var link, out _));
        Assert.Null(link);
    }

    [Fact]
    public void An_escaped_link_is_told_unescaped_and_a_long_start_is_given_up_on()
    {
        Assert.True(GraphPageHead.TryRead("{\"@odata.context\":{\"a\":[1]},\"@odata.nextLink\":\"https:\\/\\/graph.microsoft.com\\/v1.0\\/x\"}"u8, out var link, out _));
        Assert.Equal("https://graph.microsoft.com/v1.0/x", link);

        var padded = Encoding.UTF8.GetBytes("{\"@odata.context\":\"" + new string('a', GraphPageHead.MaxBytes) + "\",\"@odata.nextLink\":\"x\"}");
        Assert.True(GraphPageHead.TryRead(padded, out var none, out _));
        Assert.Null(none);
    }

    [Fact]
    public async Task The_client_tells_the_link_before_the_pages_entries_have_arrived()
    {
        var json = Page(Root + "?$skiptoken=1", null, Enumerable.Range(0, 50).Select(i => Message($"m{i}")).ToArray());
        using var rest = new SemaphoreSlim(0);
        var handler = new ScriptedHandler().Then(_ => Paused(json, rest));
        using var graph = new GraphTestClient(handler);
        var told = new TaskCompletionSource<(string, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "inbox-id", null, null, default, (link, last) => told.TrySetResult((link, last)));

        Assert.Equal((Root + "?$skiptoken=1", false), await told.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(call.IsCompleted);
        rest.Release();
        var page = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((Root + "?$skiptoken=1", false, 50), (page.Link, page.IsLast, page.Entries.Count));
    }

    [Fact]
    public async Task An_error_answer_or_a_link_to_another_host_is_not_told()
    {
        var handler = new ScriptedHandler()
            .Then(_ => Error(HttpStatusCode.BadRequest, "badRequest"))
            .Then(_ => Json(Page("https://evil.example/v1.0/x?$skiptoken=1", null)));
        using var graph = new GraphTestClient(handler);
        var told = 0;

        await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "inbox-id", null, null, default, (_, _) => told++));
        await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "inbox-id", null, null, default, (_, _) => told++));

        Assert.Equal(0, told);
    }

    [Fact]
    public async Task The_engine_asks_for_the_next_page_while_this_ones_entries_are_on_their_way()
    {
        using var rest = new SemaphoreSlim(0);
        var nextAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler()
            .Then(_ => Paused(Page(Root + "?$skiptoken=1", null, Message("m1"), Message("m2")), rest))
            .Then(_ =>
            {
                nextAsked.TrySetResult();
                return Json(Page(null, Root + "?$deltatoken=2", Message("m3")));
            });
        using var graph = new GraphTestClient(handler);
        var session = new GraphMailboxProtocol(graph.Client).Open(s_alice);
        var pages = new ItemPagePrefetch(session, "inbox-id", null, false, default);

        var first = pages.NextAsync();
        await nextAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(first.IsCompleted);
        rest.Release();

        var one = await first.WaitAsync(TimeSpan.FromSeconds(10));
        var two = await pages.NextAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await pages.StopAsync();
        Assert.Equal(Root + "?$skiptoken=1", one.State);
        Assert.Equal(new[] { "m1", "m2" }, one.Upserts.Select(i => i.Id));
        Assert.Equal((Root + "?$deltatoken=2", true, "m3"), (two.State, two.IsLast, two.Upserts.Single().Id));
        Assert.Equal(Root + "?$skiptoken=1", handler.Requests[1].Uri.OriginalString);
    }

    /// <summary>A 200 JSON answer whose bytes stop just after its link until <paramref name="rest"/> is released.</summary>
    private static HttpResponseMessage Paused(string json, SemaphoreSlim rest)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var content = new StreamContent(new PausingStream(bytes, json.IndexOf("\"value\"", StringComparison.Ordinal) + 10, rest));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; odata.metadata=minimal");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }
}
