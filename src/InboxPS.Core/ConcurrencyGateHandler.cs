using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core;

/// <summary>
/// Holds every request to a server at that server's <see cref="ConcurrencyGate"/> (one per scheme, host and port): a
/// front end's capacity is counted in requests, whatever mailbox or folder they are for, so this is the one place that
/// sees them all. The admin never has to know the capacity; a 503 shrinks the limit, served requests grow it. A request
/// leaves the gate when its response headers arrive: the body is streamed after, mostly while the server is done.
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
        var verdict = RequestVerdict.Unknown;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            verdict = response.StatusCode switch
            {
                HttpStatusCode.ServiceUnavailable => RequestVerdict.Refused,
                (HttpStatusCode)429 => RequestVerdict.Unknown,
                _ => RequestVerdict.Served,
            };
            return response;
        }
        finally
        {
            gate.Exit(ticket, verdict);
        }
    }

    private static string Key(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
