using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using InboxPS.Core.Ews.Protocol;

namespace InboxPS.Core.Ews.Transport;

/// <summary>
/// Sends one operation for one mailbox: the headers Microsoft asks for, authentication (one fresh try after a 401),
/// a per-attempt timeout, a capped streaming read of the answer, and retries of transient faults.
/// </summary>
internal sealed class EwsTransport : IDisposable
{
    private const string SoapActionPrefix = EwsNamespaces.Messages + "/";

    /// <summary>Answers up to this long are read whole before parsing (pages of changes, items without MIME); larger
    /// ones, MIME batches mostly, are parsed as they arrive.</summary>
    internal const int WholeBodyMaxBytes = 256 * 1024;

    private readonly HttpClient _http;
    private readonly EwsClientOptions _options;
    private readonly IEwsAuthenticator _authenticator;
    private EwsServerVersion? _serverVersion;

    public EwsTransport(EwsClientOptions options, IEwsAuthenticator authenticator, HttpMessageHandler handler)
    {
        _options = options;
        _authenticator = authenticator;

        // The handler is shared (or the caller's): disposing this client must not close its pooled connections.
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The ServerVersionInfo of the latest response that had one.</summary>
    public EwsServerVersion? ServerVersion => Volatile.Read(ref _serverVersion);

    /// <summary>How retries wait; tests replace it to record the waits instead of sleeping.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    public async Task<T> SendAsync<T>(EwsOperation<T> operation, MailboxIdentity mailbox, CallMetrics? metrics,
        CancellationToken cancellationToken)
    {
        var body = SoapRequestWriter.Write(_options.RequestServerVersion, mailbox, operation.WriteBody);
        var schedule = new RetrySchedule(_options.Retry);
        var call = new CallState(metrics);
        var sleptOwnBackOff = false;
        while (true)
        {
            if (!sleptOwnBackOff)
            {
                await WaitOutMailboxBackOffAsync(operation.Name, mailbox, metrics, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return await AttemptAsync(operation, mailbox, body, call, cancellationToken).ConfigureAwait(false);
            }
            catch (EwsException failure) when (failure.IsTransient && !cancellationToken.IsCancellationRequested)
            {
                // This call sleeps its own back-off below; the calls beside it hold back by it.
                sleptOwnBackOff = failure.BackOff is { } asked && asked > TimeSpan.Zero;
                if (sleptOwnBackOff)
                {
                    metrics?.BackOffFor(failure.BackOff!.Value);
                }

                if (schedule.Next(failure, serverFull: failure.HttpStatus == 503) is not { } delay)
                {
                    _options.Trace?.Invoke($"{operation.Name} {mailbox}: {failure.ErrorId}, no retry left (client-request-id {failure.RequestId}).");
                    throw;
                }

                _options.Trace?.Invoke($"{operation.Name} {mailbox}: {failure.ErrorId} ({failure.ResponseCode ?? "HTTP " + failure.HttpStatus}), " +
                                       $"retrying in {delay.TotalMilliseconds:0} ms (client-request-id {failure.RequestId}).");
                await Delay(delay, cancellationToken).ConfigureAwait(false);
                metrics?.AddThrottled(delay);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    // Calls of one mailbox may run side by side (a page's GetItem batches, the next SyncFolderItems): none is sent while
    // a back-off another one was told is running, since the server counts such a request as a violation. A back-off
    // longer than a call may hold its worker ends this call unsent, with the rest of it, and the engine parks the mailbox.
    private async Task WaitOutMailboxBackOffAsync(string operation, MailboxIdentity mailbox, CallMetrics? metrics, CancellationToken cancellationToken)
    {
        if (metrics?.BackOffRemaining is not { } wait || wait <= TimeSpan.Zero)
        {
            return;
        }

        if (wait > _options.Retry.MaxHeldWait)
        {
            var backOff = new Dictionary<string, string> { ["BackOffMilliseconds"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) };
            throw EwsErrors.FromResponseCode("ErrorServerBusy", "not sent: another call to this mailbox was told to back off, and that back-off is still running.",
                backOff, new ResponseContext(operation, mailbox, Guid.NewGuid().ToString()));
        }

        _options.Trace?.Invoke($"{operation} {mailbox}: waiting {wait.TotalMilliseconds:0} ms, the rest of a back-off another call to this mailbox was told.");
        await Delay(wait, cancellationToken).ConfigureAwait(false);
        metrics.AddThrottled(wait);
    }

    private async Task<T> AttemptAsync<T>(EwsOperation<T> operation, MailboxIdentity mailbox, byte[] body, CallState call,
        CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.RequestTimeout);
        var context = new ResponseContext(operation.Name, mailbox, Guid.NewGuid().ToString());
        try
        {
            var response = await SendOnceAsync(context, body, afterUnauthorized: false, call, attempt.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && _authenticator.CanRetryUnauthorized && !call.RefreshedCredentials)
            {
                // Once per call: a token may have expired or been revoked; a second 401 means it is not the token.
                call.RefreshedCredentials = true;
                response.Dispose();
                context = new ResponseContext(operation.Name, mailbox, Guid.NewGuid().ToString());
                response = await SendOnceAsync(context, body, afterUnauthorized: true, call, attempt.Token).ConfigureAwait(false);
            }

            using (response)
            {
                var answer = await ReadAsync(response, operation, context, attempt.Token).ConfigureAwait(false);
                _options.Trace?.Invoke($"{operation.Name} {mailbox}: HTTP {context.HttpStatus} (client-request-id {context.RequestId}).");
                return answer;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw EwsErrors.Timeout(_options.RequestTimeout, context);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Find<AuthenticationException>(e) is not null
                ? EwsErrors.TlsFailure(_options.EwsUrl, e, context)
                : EwsErrors.ConnectionFailed("ConnectionFailed", _options.EwsUrl, e, context);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection broke while the body was being read.
            throw EwsErrors.ConnectionFailed("ConnectionReset", _options.EwsUrl, e, context);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(ResponseContext context, byte[] body, bool afterUnauthorized,
        CallState call, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.EwsUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
        var headers = request.Headers;
        headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/xml"));
        headers.ExpectContinue = false;
        headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        headers.TryAddWithoutValidation("SOAPAction", "\"" + SoapActionPrefix + context.Operation + "\"");
        if (context.Mailbox?.AnchorMailbox is { } anchor)
        {
            headers.TryAddWithoutValidation("X-AnchorMailbox", anchor);
        }

        headers.TryAddWithoutValidation("client-request-id", context.RequestId);
        headers.TryAddWithoutValidation("return-client-request-id", "true");
        await _authenticator.ApplyAsync(request, afterUnauthorized, cancellationToken).ConfigureAwait(false);

        call.CountRequest();
        var sending = _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return await Cancellation.WhenCompletedOrCancelled(sending, cancellationToken, onAbandoned: r => r.Dispose()).ConfigureAwait(false);
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, EwsOperation<T> operation, ResponseContext context,
        CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        context.HttpStatus = status;
        context.ContentType = response.Content?.Headers.ContentType?.MediaType;
        context.RetryAfter = RetryAfter(response.Headers.RetryAfter);

        // 200 carries answers and errors in response messages, 500 carries SOAP faults; other statuses carry no EWS answer.
        if (status != 200 && status != 500)
        {
            throw EwsErrors.FromHttpStatus(status, response.ReasonPhrase, context, Location(response), response.RequestMessage?.RequestUri);
        }

        if (response.Content is null || !IsXml(context.ContentType))
        {
            throw EwsErrors.InvalidResponse(
                $"the server answered HTTP {status} with {(context.ContentType is { } type ? $"'{type}'" : "no")} content, not SOAP XML" +
                (context.ContentType?.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0 ? " (an HTML page: a proxy or sign-in page probably answered)" : string.Empty),
                context, transient: status >= 500);
        }

        if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
        {
            throw EwsErrors.ResponseTooLarge(_options.MaxResponseBytes, context);
        }

        var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var body = new ResponseBodyStream(stream, _options.MaxResponseBytes, cancellationToken);
        // An answer of announced, modest length is read whole into a pooled buffer and parsed synchronously: cheaper than
        // the async reader's buffers (see EwsXmlReader). A large or unannounced one is parsed as it arrives.
        byte[]? whole = null;
        var parsed = body;
        try
        {
            if (response.Content.Headers.ContentLength is { } length && length is > 0 and <= WholeBodyMaxBytes)
            {
                whole = ArrayPool<byte>.Shared.Rent((int)length);
                var read = await ReadUpToAsync(body, whole, (int)length).ConfigureAwait(false);
                // Counted like the network body, so a document that ends unfinished is still told apart (Malformed).
                parsed = new ResponseBodyStream(new MemoryStream(whole, 0, read, writable: false), _options.MaxResponseBytes, cancellationToken);
                return await SoapEnvelopeReader.ReadAsync(parsed, operation.Name, operation.CreateHandler(), context, inMemory: true)
                    .ConfigureAwait(false);
            }

            return await SoapEnvelopeReader.ReadAsync(body, operation.Name, operation.CreateHandler(), context).ConfigureAwait(false);
        }
        catch (ResponseTooLargeException)
        {
            throw EwsErrors.ResponseTooLarge(_options.MaxResponseBytes, context);
        }
        catch (XmlException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Malformed(e, parsed, context, status);
        }
        finally
        {
            if (whole is not null)
            {
                parsed.Dispose();
                ArrayPool<byte>.Shared.Return(whole);
            }

            if (context.ServerVersion is { } version)
            {
                Volatile.Write(ref _serverVersion, version);
            }
        }
    }

    // Fills buffer with up to length bytes; fewer when the body ends early (cut off: the parse then fails as truncated).
    private static async Task<int> ReadUpToAsync(ResponseBodyStream body, byte[] buffer, int length)
    {
        var total = 0;
        int read;
        while (total < length && (read = await body.ReadAsync(buffer, total, length - total).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static EwsException Malformed(XmlException e, ResponseBodyStream body, ResponseContext context, int status)
    {
        // A body that stops mid-document was cut off on the way (a dropped connection, a failover): worth retrying.
        if (body.ReachedEnd && e.Message.IndexOf("DTD", StringComparison.Ordinal) < 0)
        {
            return EwsErrors.InvalidResponse($"the XML ends unfinished after {body.BytesRead:N0} bytes (truncated)", context, transient: true, e);
        }

        var problem = e.Message.IndexOf("DTD", StringComparison.Ordinal) >= 0
            ? "it contains a DTD (<!DOCTYPE ...>), which InboxPS never processes: typically an HTML page from a proxy, or a hostile server"
            : $"it is not well-formed XML ({e.Message})";
        return EwsErrors.InvalidResponse(problem, context, transient: status >= 500, e);
    }

    // Missing content type: read on, and let the XML reader decide.
    private static bool IsXml(string? mediaType) =>
        mediaType is null
        || mediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    // Path only: a sign-in page's query string may carry state that has no place in an error message.
    private string? Location(HttpResponseMessage response) => response.Headers.Location is { } location
        ? (location.IsAbsoluteUri ? location : new Uri(_options.EwsUrl, location)).GetLeftPart(UriPartial.Path)
        : null;

    private static TException? Find<TException>(Exception e)
        where TException : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is TException found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>What one public call has done so far, across its attempts.</summary>
    private sealed class CallState
    {
        private readonly CallMetrics? _metrics;
        private int _sent;

        public CallState(CallMetrics? metrics)
        {
            _metrics = metrics;
        }

        public bool RefreshedCredentials { get; set; }

        public void CountRequest() => _metrics?.CountRequest(isRetry: _sent++ > 0);
    }
}
