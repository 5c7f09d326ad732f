using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core;

/// <summary>
/// Holds every request to a server at that server's <see cref="ConcurrencyGate"/> (one per scheme, host and port): a
/// front end's capacity is counted in requests, whatever mailbox or folder they are for, so this is the one place that
/// sees them all. The admin never has to know the capacity; a 503 shrinks the limit, served requests grow it. A served
/// request leaves the gate when its response is disposed, after its body is read: the server holds its slot until it
/// has written the body, so a request that left at the headers would let the next one in while the server still
/// counts this one (503s at a limit the server seemed to take, more often the busier the machine).
/// </summary>
internal sealed class ConcurrencyGateHandler : DelegatingHandler
{
    /// <summary>More than any front end takes from one client; the connection pool allows as many.</summary>
    public const int Ceiling = 256;

    /// <summary>Where slow start begins: gentle on a server nobody has measured yet.</summary>
    public const int InitialLimit = 4;

    private readonly ConcurrentDictionary<string, ConcurrencyGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrencyGateHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <summary>The limit found so far for <paramref name="server"/> (scheme, host and port), or null before its first
    /// request.</summary>
    public int? LimitFor(Uri server) => _gates.TryGetValue(Key(server), out var gate) ? gate.Limit : null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var gate = request.RequestUri is { } uri
            ? _gates.GetOrAdd(Key(uri), _ => new ConcurrencyGate(new ConcurrencyLimit(Ceiling, InitialLimit)))
            : null;
        if (gate is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var ticket = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            gate.Exit(ticket, RequestVerdict.Unknown);
            throw;
        }

        var verdict = response.StatusCode switch
        {
            HttpStatusCode.ServiceUnavailable => RequestVerdict.Refused,
            (HttpStatusCode)429 => RequestVerdict.Unknown,
            _ => RequestVerdict.Served,
        };
        if (verdict == RequestVerdict.Refused || response.Content is null)
        {
            gate.Exit(ticket, verdict);
            return response;
        }

        response.Content = new GatedContent(response.Content, () => gate.Exit(ticket, verdict));
        return response;
    }

    private static string Key(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    /// <summary>The response's content as it came, which lets its request out of the gate when disposed (once).</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private Action? _leave;

        public GatedContent(HttpContent inner, Action leave)
        {
            _inner = inner;
            _leave = leave;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override Task<Stream> CreateContentReadStreamAsync() => _inner.ReadAsStreamAsync();

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? 0;
            return _inner.Headers.ContentLength is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                Interlocked.Exchange(ref _leave, null)?.Invoke();
            }

            base.Dispose(disposing);
        }
    }
}
