using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace InboxPS.Core.Tests.Graph.Support;

/// <summary>
/// Microsoft's documented Graph samples (../shared/graph-reference/samples, see its MANIFEST.md): .json files are bodies,
/// .http files a request, or a status line and headers followed by the body after the first empty line.
/// </summary>
internal static class GraphSamples
{
    public static string Text(string name) => File.ReadAllText(SharedMaterial.Path("graph-reference", "samples", name));

    /// <summary>The body of a .http file (after the first empty line), or the whole .json file.</summary>
    public static string Body(string name)
    {
        var text = Text(name).Replace("\r\n", "\n");
        if (!name.EndsWith(".http", StringComparison.Ordinal))
        {
            return text;
        }

        var blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        return blank < 0 ? string.Empty : text[(blank + 2)..];
    }

    /// <summary>The request line's URL of a .http request sample.</summary>
    public static string RequestUrl(string name) => Text(name).Split('\n')[0].Split(' ')[1];

    /// <summary>A .json sample answered with <paramref name="status"/>, or an .http response sample as printed (status, headers, body).</summary>
    public static HttpResponseMessage Response(string name, HttpStatusCode status = HttpStatusCode.OK)
    {
        if (!name.EndsWith(".http", StringComparison.Ordinal))
        {
            return GraphResponses.Json(Body(name), status);
        }

        var lines = Text(name).Replace("\r\n", "\n").Split('\n');

        // "HTTP/1.1 429 Too Many Requests", or "HTTP 200 OK" as one sample prints it.
        var response = new HttpResponseMessage((HttpStatusCode)int.Parse(lines[0].Split(' ')[1]));
        var body = Body(name);
        response.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        for (var i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':');
            var (header, value) = (lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim());
            if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else
            {
                response.Headers.TryAddWithoutValidation(header, value);
            }
        }

        // The translateExchangeIds sample prints no headers; Graph answers JSON.
        response.Content.Headers.ContentType ??= MediaTypeHeaderValue.Parse("application/json");
        return response;
    }
}
