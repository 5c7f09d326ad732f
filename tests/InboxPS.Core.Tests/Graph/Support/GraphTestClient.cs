using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Core.Graph;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Graph.Support;

/// <summary>A GraphClient over a scripted handler: tokens from a fake source, waits recorded instead of slept, trace kept.</summary>
internal sealed class GraphTestClient : IDisposable
{
    public const string Alice = "alice@contoso.com";

    public GraphTestClient(HttpMessageHandler handler, Action<GraphClientOptions>? configure = null, GraphEndpoint? endpoint = null)
    {
        var options = new GraphClientOptions(endpoint ?? GraphEndpoint.For(GraphCloud.Global))
        {
            Trace = line =>
            {
                lock (TraceLines)
                {
                    TraceLines.Add(line);
                }
            },
        };
        configure?.Invoke(options);
        Client = new GraphClient(options, Tokens, handler);
        Client.Transport.Delay = (delay, cancellationToken) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (Waits)
            {
                Waits.Add(delay);
            }

            return Task.CompletedTask;
        };
    }

    public GraphClient Client { get; }
    public FakeTokenSource Tokens { get; } = new();
    public List<TimeSpan> Waits { get; } = new();
    public List<string> TraceLines { get; } = new();
    public CallMetrics Metrics { get; } = new();

    public void Dispose() => Client.Dispose();
}

internal static class GraphResponses
{
    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, string contentType = "application/json; odata.metadata=minimal")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(status) { Content = content };
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message = "as Graph says it", string? retryAfter = null)
    {
        var response = Json("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"innerError\":{\"request-id\":\"r\"}}}", status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    /// <summary>A delta page: entries as JSON objects, then a nextLink or a deltaLink.</summary>
    public static string Page(string? nextLink, string? deltaLink, params string[] entries)
    {
        var links = (nextLink is null ? string.Empty : $"\"@odata.nextLink\":\"{nextLink}\",")
                    + (deltaLink is null ? string.Empty : $"\"@odata.deltaLink\":\"{deltaLink}\",");
        return "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#Collection(message)\"," + links + "\"value\":[" + string.Join(",", entries) + "]}";
    }

    /// <summary>A message with every selected property, as a created entry carries it.</summary>
    public static string Message(string id, string subject = "Hello", bool isRead = false, string changeKey = "CK1") => $$$"""
        {"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\"{{{changeKey}}}\"","id":"{{{id}}}","changeKey":"{{{changeKey}}}",
         "internetMessageId":"<{{{id}}}@contoso.com>","conversationId":"conv-{{{id}}}","subject":"{{{subject}}}",
         "from":{"emailAddress":{"name":"Dana Swope","address":"danas@contoso.com"}},
         "toRecipients":[{"emailAddress":{"name":"Alice","address":"alice@contoso.com"}},{"emailAddress":{"address":"bob@contoso.com"}}],
         "ccRecipients":[],"sentDateTime":"2026-11-02T08:00:00Z","receivedDateTime":"2026-11-02T08:00:05Z",
         "isRead":{{{(isRead ? "true" : "false")}}},"hasAttachments":false}
        """;

    public static string Removed(string id, string reason = "deleted") =>
        $$$"""{"@odata.type":"#microsoft.graph.message","id":"{{{id}}}","@removed":{"reason":"{{{reason}}}"}}""";
}
