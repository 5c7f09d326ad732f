using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// One Graph call, whether it came over HTTP or inside a $batch: method, the path below /v1.0/ (no query), the query
/// options (decoded), headers (case-insensitive) and body.
/// </summary>
internal sealed class GraphRequest
{
    public GraphRequest(string method, string path, IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string> headers, byte[]? body)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
    }

    public string Method { get; }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Query { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[]? Body { get; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;

    /// <summary>Prefer: IdType="ImmutableId" (it must be on every request: links do not carry it).</summary>
    public bool WantsImmutableIds => PreferValues().Any(p => p.Replace(" ", "", StringComparison.Ordinal).Equals("IdType=\"ImmutableId\"", StringComparison.OrdinalIgnoreCase));

    /// <summary>Prefer: odata.maxpagesize=N, or null.</summary>
    public int? MaxPageSize => PreferValues()
        .Select(p => p.Replace(" ", "", StringComparison.Ordinal))
        .Where(p => p.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase))
        .Select(p => int.TryParse(p["odata.maxpagesize=".Length..], out var n) && n > 0 ? n : (int?)null)
        .FirstOrDefault();

    /// <summary>Parses a relative or absolute URL (as $batch items and nextLinks carry them) into path and query.</summary>
    public static (string Path, Dictionary<string, string> Query) SplitUrl(string url)
    {
        var question = url.IndexOf('?');
        var path = question < 0 ? url : url[..question];
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (question >= 0)
        {
            foreach (var pair in url[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                query[name] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        var v1 = path.IndexOf("/v1.0/", StringComparison.OrdinalIgnoreCase);
        path = v1 >= 0 ? path[(v1 + "/v1.0/".Length)..] : path.TrimStart('/');
        return (path, query);
    }

    private IEnumerable<string> PreferValues() =>
        (Header("Prefer") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The answer to one Graph call: status, headers, body (JSON or, for $value, MIME).</summary>
internal sealed class GraphResponse
{
    public GraphResponse(int status, byte[] body, string contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public const string JsonType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    public int Status { get; }

    public byte[] Body { get; }

    public string ContentType { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Items the answer carries (messages or folders of a delta page; one for a single resource): what the service-time model charges per item.</summary>
    public int Items { get; set; } = 1;

    /// <summary>The display name of the folder a messages/delta page synced (null for other answers): its chain in the metrics.</summary>
    public string? SyncFolder { get; set; }

    public bool IsJson => ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);

    public static GraphResponse Json(int status, System.Text.Json.Nodes.JsonNode body) =>
        new(status, Encoding.UTF8.GetBytes(body.ToJsonString()), JsonType);
}
