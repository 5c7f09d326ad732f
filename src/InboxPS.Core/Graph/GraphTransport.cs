using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Graph;

/// <summary>
/// Sends one request for one mailbox: the headers Graph asks for, a bearer token (one fresh try after a 401), a
/// per-attempt timeout, a bounded read of the answer, and retries of throttling and transient faults.
/// </summary>
internal sealed class GraphTransport : IDisposable
{
    private const int MaxErrorBodyBytes = 64 * 1024;
    private static readonly TimeSpan s_maxBackOff = TimeSpan.FromDays(1);

    private readonly HttpClient _http;
    private readonly GraphClientOptions _options;
    private readonly IAccessTokenSource _tokens;
    private readonly GraphMailboxGates _gates;

    public GraphTransport(GraphClientOptions options, IAccessTokenSource tokens, HttpMessageHandler handler)
    {
        _options = options;
        _tokens = tokens;
        _gates = new GraphMailboxGates(options.MaxRequestsPerMailbox);

        // The handler is shared (or the caller's): disposing this client must not close its pooled connections.
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>The per-mailbox gates kept now (for tests).</summary>
    internal GraphMailboxGates Gates => _gates;

    /// <summary>How retries wait; tests replace it to record the waits instead of sleeping.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    /// <summary>Sends the request and parses a JSON answer with <paramref name="parse"/> (which throws GraphException on a misshapen one).</summary>
    /// <param name="watchStart">Shown a successful answer's bytes so far each time more arrive, until it returns true: what
    /// the beginning of an answer says can be acted on before its end has arrived.</param>
    public Task<T> SendJsonAsync<T>(GraphRequest request, Func<JsonElement, GraphRequestContext, T> parse, CallMetrics? metrics,
        CancellationToken cancellationToken, Func<ReadOnlyMemory<byte>, bool>? watchStart = null) =>
        SendAsync(request, async (response, context, token) =>
        {
            RequireJson(response, context);
            using var buffer = new MemoryStream();
            await CopyBoundedAsync(response.Content, buffer, request.MaxResponseBytes ?? _options.MaxResponseBytes, context, token,
                watchStart is null ? null : () => watchStart(buffer.GetBuffer().AsMemory(0, (int)buffer.Length))).ConfigureAwait(false);
            buffer.Position = 0;
            JsonDocument document;
            try
            {
                // The default depth limit (64) stops a hostile, deeply nested body long before the stack would suffer.
                document = JsonDocument.Parse(buffer, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                throw GraphErrors.InvalidResponse($"it is not well-formed JSON ({e.Message})", context, inner: e);
            }

            using (document)
            {
                return parse(document.RootElement, context);
            }
        }, metrics, cancellationToken);

    /// <summary>Sends the request and reads the raw body (MIME), bounded; a fresh buffer per attempt, so a retry never appends.</summary>
    public Task<byte[]> SendBytesAsync(GraphRequest request, long limit, CallMetrics? metrics, CancellationToken cancellationToken) =>
        SendAsync(request, async (response, context, token) =>
        {
            using var buffer = new MemoryStream();
            await CopyBoundedAsync(response.Content, buffer, limit, context, token).ConfigureAwait(false);
            return buffer.ToArray();
        }, metrics, cancellationToken);

    /// <summary>A Retry-After the mailbox got inside a JSON batch: its next requests wait it out, as after a 429 of their own.</summary>
    public void HoldOff(string mailbox, TimeSpan wait)
    {
        var gate = _gates.Lease(mailbox);
        gate.HoldOff(wait);
        _gates.Release(gate);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(GraphRequest request, Func<HttpResponseMessage, GraphRequestContext, CancellationToken, Task<T>> read,
        CallMetrics? metrics, CancellationToken cancellationToken)
    {
        var call = new CallState(metrics);
        var gate = _gates.Lease(request.Mailbox);
        try
        {
            return await SendThroughAsync(gate, request, read, call, metrics, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gates.Release(gate);
        }
    }

    private async Task<T> SendThroughAsync<T>(GraphMailboxGate gate, GraphRequest request,
        Func<HttpResponseMessage, GraphRequestContext, CancellationToken, Task<T>> read, CallState call, CallMetrics? metrics,
        CancellationToken cancellationToken)
    {
        var schedule = new RetrySchedule(_options.Retry);
        var sleptUntil = long.MinValue;
        while (true)
        {
            var (entered, heldOff) = await gate.EnterAsync(Delay, sleptUntil, _options.Retry.MaxHeldWait, cancellationToken, request.Slots).ConfigureAwait(false);
            if (!entered)
            {
                Trace(request, $"not sent, the mailbox's Retry-After has {heldOff.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms left.");
                throw GraphErrors.HeldOff(heldOff, new GraphRequestContext(request.Operation, request.Mailbox, request.Scope));
            }

            if (heldOff > TimeSpan.Zero)
            {
                metrics?.AddThrottled(heldOff);
            }

            TimeSpan delay;
            try
            {
                return await AttemptAsync(request, read, call, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException failure) when (failure.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                if (failure.BackOff is { } asked && asked > TimeSpan.Zero)
                {
                    // The mailbox's other requests (its other folders) wait it out too, or end when it is long.
                    sleptUntil = gate.HoldOff(asked);
                }

                if (schedule.Next(failure, serverFull: failure.HttpStatus == 503) is not { } next)
                {
                    Trace(request, $"{failure.ErrorId}, no retry left (client-request-id {failure.RequestId}).");
                    throw;
                }

                delay = next;
                Trace(request, $"{failure.ErrorId} (HTTP {failure.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? failure.Code}), " +
                               $"retrying in {delay.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms (client-request-id {failure.RequestId}).");
            }
            finally
            {
                gate.Exit(request.Slots);
            }

            // Waited outside the gate: a slot is never held by a request that is only sleeping.
            await Delay(delay, cancellationToken).ConfigureAwait(false);
            metrics?.AddThrottled(delay);
        }
    }

    private async Task<T> AttemptAsync<T>(GraphRequest request, Func<HttpResponseMessage, GraphRequestContext, CancellationToken, Task<T>> read,
        CallState call, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.RequestTimeout);
        var context = new GraphRequestContext(request.Operation, request.Mailbox, request.Scope);
        try
        {
            var response = await SendOnceAsync(request, context, forceRefresh: false, call, attempt.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && !call.RefreshedToken)
            {
                // Once per call: the cached token may have expired or been revoked; a second 401 means it is not the token.
                call.RefreshedToken = true;
                response.Dispose();
                context = new GraphRequestContext(request.Operation, request.Mailbox, request.Scope);
                response = await SendOnceAsync(request, context, forceRefresh: true, call, attempt.Token).ConfigureAwait(false);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorAsync(response, context, attempt.Token).ConfigureAwait(false);
                }

                return await read(response, context, attempt.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw GraphErrors.Timeout(_options.RequestTimeout, context);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw IsTlsFailure(e)
                ? GraphErrors.TlsFailure(_options.Endpoint.Root, e, context)
                : GraphErrors.ConnectionFailed(_options.Endpoint.Root, e, context);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection broke while the body was being read.
            throw GraphErrors.ConnectionFailed(_options.Endpoint.Root, e, context);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(GraphRequest request, GraphRequestContext context, bool forceRefresh,
        CallState call, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var headers = message.Headers;
        headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        headers.TryAddWithoutValidation("Accept", request.Accept);
        headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);

        // Ids must not change when a message moves; Graph honours this only when every request asks for it.
        headers.TryAddWithoutValidation("Prefer", "IdType=\"ImmutableId\"");
        if (request.MaxPageSize is { } pageSize)
        {
            headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=" + pageSize.ToString(CultureInfo.InvariantCulture));
        }

        headers.TryAddWithoutValidation("client-request-id", context.RequestId);
        headers.TryAddWithoutValidation("return-client-request-id", "true");

        call.CountRequest();
        var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        context.HttpStatus = (int)response.StatusCode;
        context.RetryAfter = RetryAfter(response);
        Trace(request, $"HTTP {context.HttpStatus.Value.ToString(CultureInfo.InvariantCulture)} (client-request-id {context.RequestId}).");
        return response;
    }

    private static async Task<GraphException> ErrorAsync(HttpResponseMessage response, GraphRequestContext context, CancellationToken cancellationToken)
    {
        string? code = null;
        string? text = null;
        if (response.Content is not null && response.Content.Headers.ContentType?.MediaType?.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            // Best effort: an error body too large or malformed still fails by its status alone.
            try
            {
                using var buffer = new MemoryStream();
                await CopyBoundedAsync(response.Content, buffer, MaxErrorBodyBytes, context, cancellationToken).ConfigureAwait(false);
                buffer.Position = 0;
                using var document = JsonDocument.Parse(buffer);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    code = GraphJson.OptionalString(error, "code") is { Length: > 0 } c ? c : null;
                    text = GraphJson.OptionalString(error, "message");
                }
            }
            catch (Exception e) when (e is JsonException or GraphException or InvalidOperationException)
            {
            }
        }

        return GraphErrors.FromResponse(code, text, context, response.RequestMessage?.RequestUri);
    }

    private static void RequireJson(HttpResponseMessage response, GraphRequestContext context)
    {
        var type = response.Content?.Headers.ContentType?.MediaType;
        if (type is null || type.IndexOf("json", StringComparison.OrdinalIgnoreCase) < 0)
        {
            throw GraphErrors.InvalidResponse(
                $"the server answered with {(type is null ? "no" : $"'{type}'")} content, not JSON" +
                (type?.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0 ? " (an HTML page: a proxy or sign-in page probably answered)" : string.Empty),
                context);
        }
    }

    /// <summary>Copies a body to <paramref name="destination"/>, never more than <paramref name="limit"/> bytes; returns the length.
    /// <paramref name="copied"/> is called after each piece until it returns true.</summary>
    private static async Task<long> CopyBoundedAsync(HttpContent? content, Stream destination, long limit, GraphRequestContext context,
        CancellationToken cancellationToken, Func<bool>? copied = null)
    {
        if (content is null)
        {
            return 0;
        }

        if (content.Headers.ContentLength > limit)
        {
            throw GraphErrors.ResponseTooLarge(limit, context);
        }

        using var source = await content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw GraphErrors.ResponseTooLarge(limit, context);
            }

            await destination.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
            if (copied?.Invoke() == true)
            {
                copied = null;
            }
        }

        return total;
    }

    /// <summary>
    /// Retry-After in seconds (Graph sends fractions such as 2.128, which .NET's typed header rejects) or as an HTTP
    /// date; read from the raw header text.
    /// </summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Retry-After", out var values) ? ParseRetryAfter(values.FirstOrDefault()) : null;

    /// <summary>A Retry-After header's text (also as a JSON batch response carries it), or null when it says nothing usable.</summary>
    internal static TimeSpan? ParseRetryAfter(string? value)
    {
        if (value?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds < s_maxBackOff.TotalSeconds ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)) : s_maxBackOff;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < s_maxBackOff ? wait : s_maxBackOff;
        }

        return null;
    }

    private void Trace(GraphRequest request, string what) => _options.Trace?.Invoke($"{request.Operation} {request.Mailbox}: {what}");

    private static bool IsTlsFailure(Exception e)
    {
        while (e is not null and not AuthenticationException)
        {
            e = e.InnerException!;
        }

        return e is not null;
    }

    /// <summary>What one call has done so far, across its attempts.</summary>
    private sealed class CallState
    {
        private readonly CallMetrics? _metrics;
        private int _sent;

        public CallState(CallMetrics? metrics) => _metrics = metrics;

        public bool RefreshedToken { get; set; }

        public void CountRequest() => _metrics?.CountRequest(isRetry: _sent++ > 0);
    }
}
