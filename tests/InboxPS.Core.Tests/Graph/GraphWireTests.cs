using InboxPS.Core.Graph;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Graph.Support;

namespace InboxPS.Core.Tests.Graph;

/// <summary>Over a real HTTP connection to 127.0.0.1: what .NET's own handler parses and sends, and peers that misbehave.</summary>
public sealed class GraphWireTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_fractional_Retry_After_survives_the_real_handler_and_both_preferences_reach_the_wire()
    {
        var answered = 0;
        await using var server = new LoopbackServer((stream, stop) => LoopbackServer.WriteAsync(stream, Interlocked.Increment(ref answered) == 1
            ? "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1.628\r\nContent-Length: 60\r\nConnection: close\r\n\r\n"
              + """{"error":{"code":"ApplicationThrottled","message":"busy.."}}"""
            : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n" + """{"id":"inbox-1"}""", stop));
        using var handler = new HttpClientHandler();
        using var graph = new GraphTestClient(handler, endpoint: GraphEndpoint.Custom(new Uri(server.Url, "/")));

        var inbox = await graph.Client.GetMailFolderAsync(GraphTestClient.Alice, "inbox", null, default).WaitAsync(s_guard);

        Assert.Equal("inbox-1", inbox.Id);
        Assert.InRange(Assert.Single(graph.Waits), TimeSpan.FromSeconds(1.628), TimeSpan.FromSeconds(1.628 + 0.1628));
        var sent = server.LastRequestHeaders!.Split("\r\n");
        Assert.Contains("Prefer: IdType=\"ImmutableId\"", sent);
        Assert.Contains(sent, l => l.StartsWith("Authorization: Bearer token-1", StringComparison.Ordinal));
        Assert.Contains(sent, l => l.StartsWith("GET /v1.0/users/alice%40contoso.com/mailFolders/inbox?$select=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Both_preferences_of_a_delta_page_reach_the_wire()
    {
        await using var server = new LoopbackServer((stream, stop) => LoopbackServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"value\":[]", stop));
        using var handler = new HttpClientHandler();
        using var graph = new GraphTestClient(handler, o => o.PageSize = 7, GraphEndpoint.Custom(new Uri(server.Url, "/")));

        // The body is cut short on purpose: only what was sent matters here.
        await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMessageChangesAsync(GraphTestClient.Alice, "f", null, null, default).WaitAsync(s_guard));

        var prefer = server.LastRequestHeaders!.Split("\r\n").Where(l => l.StartsWith("Prefer:", StringComparison.Ordinal)).ToArray();
        Assert.Contains("IdType=\"ImmutableId\"", string.Join(",", prefer));
        Assert.Contains("odata.maxpagesize=7", string.Join(",", prefer));
    }

    [Fact]
    public async Task A_body_that_stalls_times_out_as_a_transient_failure()
    {
        await using var server = new LoopbackServer(async (stream, stop) =>
        {
            await LoopbackServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"value\":[", stop);
            await Task.Delay(Timeout.Infinite, stop);
        });
        using var handler = new HttpClientHandler();
        using var graph = new GraphTestClient(handler, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(500);
            o.Retry.MaxAttempts = 1;
        }, GraphEndpoint.Custom(new Uri(server.Url, "/")));

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderChangesAsync(GraphTestClient.Alice, null, null, default).WaitAsync(s_guard));

        Assert.Equal((GraphErrorIds.Timeout, SyncFault.Unavailable, true), (error.ErrorId, error.Fault, error.IsTransient));
        Assert.Contains("within 0.5 s", error.Message);
    }

    [Fact]
    public async Task A_connection_closed_mid_body_is_a_transient_connection_failure()
    {
        await using var server = new LoopbackServer((stream, stop) => LoopbackServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n{\"value\":[", stop));
        using var handler = new HttpClientHandler();
        using var graph = new GraphTestClient(handler, o => o.Retry.MaxAttempts = 1, GraphEndpoint.Custom(new Uri(server.Url, "/")));

        var error = await Assert.ThrowsAsync<GraphException>(() => graph.Client.GetMailFolderChangesAsync(GraphTestClient.Alice, null, null, default).WaitAsync(s_guard));

        Assert.Equal((GraphErrorIds.ConnectionFailed, SyncFault.Unavailable, true), (error.ErrorId, error.Fault, error.IsTransient));
    }
}
