using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>An in-memory EWS endpoint: answers requests from a script, in order, and records what was sent.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Queue<Func<RecordedRequest, HttpResponseMessage>> _script = new();
    private readonly List<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public ScriptedHandler Then(Func<RecordedRequest, HttpResponseMessage> responder)
    {
        lock (_script)
        {
            _script.Enqueue(responder);
        }

        return this;
    }

    public ScriptedHandler ThenXml(string xml, HttpStatusCode status = HttpStatusCode.OK) => Then(_ => Responses.Xml(xml, status));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var recorded = new RecordedRequest(request, request.Content is null ? Array.Empty<byte>() : await request.Content.ReadAsByteArrayAsync(cancellationToken));
        Func<RecordedRequest, HttpResponseMessage> responder;
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        lock (_script)
        {
            responder = _script.Count > 0 ? _script.Dequeue() : throw new InvalidOperationException("The script has no answer left for this request.");
        }

        return responder(recorded);
    }
}

/// <summary>A request as the server received it.</summary>
internal sealed class RecordedRequest
{
    public RecordedRequest(HttpRequestMessage request, byte[] body)
    {
        Method = request.Method;
        Uri = request.RequestUri!;
        Body = body;
        Headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        Authorization = request.Headers.Authorization;
    }

    public HttpMethod Method { get; }
    public Uri Uri { get; }
    public byte[] Body { get; }
    public IReadOnlyDictionary<string, string> Headers { get; }
    public AuthenticationHeaderValue? Authorization { get; }
    public string Text => Encoding.UTF8.GetString(Body);
    public XDocument Xml => XDocument.Parse(Text);
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The child of soap:Body: the operation element.</summary>
    public XElement Operation => Xml.Root!.Element(XName.Get("Body", Soap.SoapNs))!.Elements().Single();
}

internal static class Responses
{
    public static HttpResponseMessage Xml(string xml, HttpStatusCode status = HttpStatusCode.OK, string contentType = "text/xml; charset=utf-8")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(xml));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(status) { Content = content };
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string body = "", string contentType = "text/plain")
    {
        var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(status) { Content = content };
    }
}
