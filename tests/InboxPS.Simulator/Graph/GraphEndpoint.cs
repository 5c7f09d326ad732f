using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Simulator.Identity;
using Microsoft.AspNetCore.Http;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// /v1.0/... : Microsoft Graph over the same tenant as EWS. Checks run as Graph's front end does: server capacity (503),
/// the token (401 InvalidAuthenticationToken), then the resource (users, or a mailbox's folders and messages: 404/403),
/// then the app's budget for that mailbox (429), then the call. $batch runs its items through the same pipeline one by one.
/// </summary>
internal sealed class GraphEndpoint
{
    public const int MaxBatchRequests = 20;
    private const int BatchParallelism = 4;

    private readonly GraphServices _services;
    private readonly GraphUsers _users;
    private readonly GraphMail _mail;

    public GraphEndpoint(GraphServices services)
    {
        _services = services;
        _users = new GraphUsers(services);
        _mail = new GraphMail(services);
    }

    private GraphMetricsRecorder Metrics => _services.Metrics;

    public async Task HandleAsync(HttpContext context)
    {
        var http = context.Request;
        var body = new MemoryStream();
        await http.Body.CopyToAsync(body, context.RequestAborted);
        var headers = http.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var (path, query) = GraphRequest.SplitUrl(http.Path.Value + http.QueryString.Value);
        var request = new GraphRequest(http.Method, path, query, headers, body.Length > 0 ? body.ToArray() : null);

        var requestId = Guid.NewGuid().ToString();
        var response = await RunAsync(request, requestId, caller: null, context.RequestAborted);
        context.Response.StatusCode = response.Status;
        context.Response.Headers["request-id"] = requestId;
        if (request.Header("client-request-id") is { Length: > 0 } clientRequestId)
        {
            context.Response.Headers["client-request-id"] = clientRequestId;
        }

        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    /// <summary>One call through the whole pipeline; <paramref name="caller"/> is set for $batch items (already authenticated).</summary>
    private async Task<GraphResponse> RunAsync(GraphRequest request, string requestId, GraphCaller? caller, CancellationToken ct)
    {
        var call = Metrics.Enter();
        call.MakeCurrent();
        GraphResponse response;
        try
        {
            if (call.Working > _services.EwsThrottling.ServerCapacity)
            {
                throw new GraphErrorException(GraphError.ServiceUnavailable(_services.Throttling.RetryAfter));
            }

            caller ??= Authenticate(request);
            response = IsBatch(request) ? await BatchAsync(request, caller, ct) : await DispatchAsync(request, caller, ct);
        }
        catch (GraphErrorException e)
        {
            response = ErrorResponse(e.Error, requestId, request.Header("client-request-id"));
        }
        finally
        {
            Metrics.Exit(call);
        }

        Metrics.Status(response.Status);
        return response;
    }

    private static bool IsBatch(GraphRequest request) => request.Path.Equals("$batch", StringComparison.OrdinalIgnoreCase);

    private Task<GraphResponse> DispatchAsync(GraphRequest request, GraphCaller caller, CancellationToken ct)
    {
        var segments = GraphRoute.Segments(request.Path);
        var route = GraphRoute.Match(segments, request.Method);
        Metrics.Endpoint(route?.Name ?? "unknown");
        return route switch
        {
            null => throw new GraphErrorException(new GraphError(400, "BadRequest", $"Resource not found for the segment '{segments.LastOrDefault()}'.")),
            { Name: "users" } => Task.FromResult(_users.List(request, caller)),
            { Name: "user" } => Task.FromResult(_users.Get(request, caller, route.User!)),
            _ => _mail.HandleAsync(request, caller, route, ct),
        };
    }

    private GraphCaller Authenticate(GraphRequest request)
    {
        AuthenticationHeaderValue.TryParse(request.Header("Authorization") ?? "", out var header);
        if (!"Bearer".Equals(header?.Scheme, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(header!.Parameter))
        {
            Metrics.Unauthorized();
            throw new GraphErrorException(GraphError.InvalidToken("Access token is empty."));
        }

        var rejection = _services.Tokens.ValidateGraph(header.Parameter, DateTimeOffset.UtcNow, GraphClouds.RootOf(_services.Cloud), out var principal);
        if (rejection is not null || principal is null || !principal.IsAppOnly)
        {
            Metrics.Unauthorized();
            throw new GraphErrorException(GraphError.InvalidToken(TokenMessage(rejection)));
        }

        return new GraphCaller(principal.AppId, principal.Roles);
    }

    /// <summary>Graph's words for a refused token (IDX codes as the Microsoft.IdentityModel validators print them).</summary>
    private static string TokenMessage(TokenRejection? rejection) => rejection?.DiagnosticCode switch
    {
        2000000 => "IDX10511: Signature validation failed.",
        2000001 => "IDX14100: JWT is not well formed, there are no dots (.).",
        2000002 => "Lifetime validation failed, the token is expired.",
        2000003 => "Access token validation failure. Invalid audience.",
        2000004 => "Access token validation failure. Invalid issuer.",
        2000008 => "Access token validation failure. The token has no roles for this resource.",
        _ => "Access token validation failure.",
    };

    private GraphResponse ErrorResponse(GraphError error, string requestId, string? clientRequestId)
    {
        var response = GraphResponse.Json(error.Status, error.ToJson(requestId, clientRequestId, DateTimeOffset.UtcNow));
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers["Retry-After"] = GraphError.FormatRetryAfter(retryAfter);
        }

        if (error.Status == 401)
        {
            response.Headers["WWW-Authenticate"] = "Bearer realm=\"\", authorization_uri=\"" + _services.Tokens.TenantUrl("oauth2/authorize")
                + "\", client_id=\"" + GraphClouds.GraphAppId + "\"";
        }

        return response;
    }

    /// <summary>
    /// JSON batching: at most 20 requests; each judged on its own (its own 4xx/429 inside a 200 batch); dependsOn orders
    /// them and a failed dependency answers 424; independent ones run up to four at a time, as Outlook does.
    /// </summary>
    private async Task<GraphResponse> BatchAsync(GraphRequest request, GraphCaller caller, CancellationToken ct)
    {
        Metrics.Endpoint("$batch");
        if (!request.Method.Equals("POST", StringComparison.OrdinalIgnoreCase))
        {
            throw new GraphErrorException(new GraphError(405, "Request_BadRequest", "Only POST is allowed on $batch."));
        }

        var items = ParseBatch(request.Body);
        var results = new Dictionary<string, GraphResponse>(StringComparer.Ordinal);
        var gate = new SemaphoreSlim(BatchParallelism);
        var pending = items.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.Where(i => i.DependsOn.All(results.ContainsKey)).ToList();
            if (ready.Count == 0)
            {
                throw new GraphErrorException(GraphError.BadRequest("The dependsOn graph of the batch has a cycle or names a missing request."));
            }

            var answers = await Task.WhenAll(ready.Select(async item =>
            {
                if (item.DependsOn.Any(d => results[d].Status >= 400))
                {
                    return ErrorResponse(new GraphError(424, "FailedDependency", "A request this request depends on failed."), Guid.NewGuid().ToString(), null);
                }

                await gate.WaitAsync(ct);
                try
                {
                    return await RunAsync(item.Request, Guid.NewGuid().ToString(), caller, ct);
                }
                finally
                {
                    gate.Release();
                }
            }));
            for (var i = 0; i < ready.Count; i++)
            {
                results[ready[i].Id] = answers[i];
                pending.Remove(ready[i]);
            }
        }

        var responses = new JsonArray();
        foreach (var item in items)
        {
            var answer = results[item.Id];
            var headers = new JsonObject { ["Content-Type"] = answer.ContentType };
            foreach (var (name, value) in answer.Headers)
            {
                headers[name] = value;
            }

            responses.Add(new JsonObject
            {
                ["id"] = item.Id,
                ["status"] = answer.Status,
                ["headers"] = headers,
                ["body"] = answer.IsJson ? JsonNode.Parse(answer.Body) : JsonValue.Create(Convert.ToBase64String(answer.Body)),
            });
        }

        return GraphResponse.Json(200, new JsonObject { ["responses"] = responses });
    }

    private static List<BatchItem> ParseBatch(byte[]? body)
    {
        JsonNode? root;
        try
        {
            root = body is null ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            root = null;
        }

        if (root?["requests"] is not JsonArray requests)
        {
            throw new GraphErrorException(GraphError.BadRequest("Invalid batch payload format."));
        }

        if (requests.Count > MaxBatchRequests)
        {
            throw new GraphErrorException(GraphError.BadRequest($"Number of batch requests exceeds the maximum of {MaxBatchRequests}."));
        }

        var items = new List<BatchItem>();
        foreach (var node in requests)
        {
            var id = node?["id"]?.ToString();
            var url = node?["url"]?.ToString();
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(url) || items.Any(i => i.Id == id))
            {
                throw new GraphErrorException(GraphError.BadRequest("Every batch request needs a unique id and a url."));
            }

            var headers = (node!["headers"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.OrdinalIgnoreCase)
                ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var dependsOn = (node["dependsOn"] as JsonArray)?.Select(d => d?.ToString() ?? "").ToList() ?? new List<string>();
            var (path, query) = GraphRequest.SplitUrl(url);
            var itemBody = node["body"] is { } b ? Encoding.UTF8.GetBytes(b.ToJsonString()) : null;
            items.Add(new BatchItem(id, dependsOn, new GraphRequest(node["method"]?.ToString() ?? "GET", path, query, headers, itemBody)));
        }

        return items;
    }

    private sealed record BatchItem(string Id, IReadOnlyList<string> DependsOn, GraphRequest Request);
}
