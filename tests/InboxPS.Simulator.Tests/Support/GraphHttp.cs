using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// A bare Graph client over HttpClient (no SDK): tokens from the real MSAL, requests as Graph's docs print them, answers
/// as raw status, headers and JSON. The SDK-level check lives in InboxPS.Simulator.GraphSdkTests.
/// </summary>
public sealed class GraphHttp : IDisposable
{
    public const string GraphScope = "https://graph.microsoft.com/.default";
    private readonly HttpClient _http;
    private readonly ExchangeSimulator _sim;

    public GraphHttp(ExchangeSimulator sim, string? token)
    {
        _sim = sim;
        _http = new HttpClient(sim.CreateTrustingHandler());
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public static async Task<GraphHttp> SignInAsync(ExchangeSimulator sim, string scope = GraphScope) => new(sim, await TokenAsync(sim, scope));

    /// <summary>A client-credentials token for <paramref name="scope"/> through the real MSAL (no cache between calls: a fresh app).</summary>
    public static async Task<string> TokenAsync(ExchangeSimulator sim, string scope = GraphScope)
    {
        using var http = new SimulatorTrustFactory(sim.CaCertificatePath);
        var result = await Msal.WithSecret(sim, http).AcquireTokenForClient(new[] { scope }).ExecuteAsync();
        return result.AccessToken;
    }

    /// <summary>GET a path below /v1.0/ ("users?$top=5") or an absolute link (a nextLink); headers as "Name: value".</summary>
    public Task<GraphAnswer> GetAsync(string url, params string[] headers) => SendAsync(HttpMethod.Get, url, null, headers);

    public Task<GraphAnswer> PostAsync(string url, JsonNode body, params string[] headers) => SendAsync(HttpMethod.Post, url, body, headers);

    private async Task<GraphAnswer> SendAsync(HttpMethod method, string url, JsonNode? body, string[] headers)
    {
        using var request = new HttpRequestMessage(method, url.StartsWith("https://", StringComparison.Ordinal) ? new Uri(url) : new Uri(_sim.GraphUrl, url));
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            request.Headers.TryAddWithoutValidation(header[..colon].Trim(), header[(colon + 1)..].Trim());
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        return new GraphAnswer(response.StatusCode, response.Headers, response.Content.Headers.ContentType?.ToString() ?? "",
            await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Follows a messages or mailFolders delta round from <paramref name="url"/> to its deltaLink.</summary>
    public async Task<DeltaRound> RoundAsync(string url, params string[] headers)
    {
        var round = new DeltaRound();
        for (var next = url; ;)
        {
            var page = await GetAsync(next, headers);
            Assert.True(page.Status == HttpStatusCode.OK, $"{page.Status} for {next}: {page.Text}");
            round.Pages.Add(page.Json.AsObject());
            foreach (var entry in page.Json["value"]!.AsArray())
            {
                var id = (string)entry!["id"]!;
                if (entry["@removed"] is { } removed)
                {
                    round.Removed[id] = (string)removed["reason"]!;
                    round.Items.Remove(id);
                }
                else
                {
                    round.Items[id] = entry.AsObject();
                }
            }

            if (page.Json["@odata.deltaLink"] is { } delta)
            {
                round.DeltaLink = (string)delta!;
                return round;
            }

            next = (string)page.Json["@odata.nextLink"]!;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>One delta round: every page, what it left (id → last object seen), what it removed (id → reason), the deltaLink.</summary>
public sealed class DeltaRound
{
    public List<JsonObject> Pages { get; } = new();

    public Dictionary<string, JsonObject> Items { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Removed { get; } = new(StringComparer.Ordinal);

    public string DeltaLink { get; set; } = "";
}

public sealed record GraphAnswer(HttpStatusCode Status, HttpResponseHeaders Headers, string ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("Empty body.");

    public string? ErrorCode => (string?)Json["error"]?["code"];

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
