using System;
using System.Reflection;

namespace InboxPS.Core.Graph;

/// <summary>Where and how a <see cref="GraphClient"/> talks to Microsoft Graph.</summary>
public sealed class GraphClientOptions
{
    /// <summary>
    /// Outlook's ceiling on a delta page is not documented: where it caps lower, asking for 1,000 costs nothing; where it
    /// does not, every 1,000 changes pay one request's base cost instead of ten. 1,000 messages' properties are under a
    /// megabyte of JSON.
    /// </summary>
    public const int DefaultPageSize = 1000;

    /// <summary>With MIME, a page's messages are held whole until the page is stored: 100 keeps that to a few MB.</summary>
    public const int DefaultMimePageSize = 100;

    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(100);
    private long _maxResponseBytes = 16L * 1024 * 1024;
    private long _maxMimeBytes = 150L * 1024 * 1024;
    private int _pageSize = DefaultPageSize;
    private int _mimePageSize = DefaultMimePageSize;
    private GraphRetryPolicy _retry = new();

    public GraphClientOptions(GraphEndpoint endpoint)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
    }

    public GraphEndpoint Endpoint { get; }

    /// <summary>Requests in flight for one mailbox at most: Graph allows 4 concurrent requests per app and mailbox.</summary>
    public int MaxRequestsPerMailbox { get; set; } = 4;

    /// <summary>How long one attempt (sending, waiting and reading the whole answer) may take.</summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive and under 24 days.");
    }

    /// <summary>The largest JSON body read (after decompression); larger ones fail with GraphResponseTooLarge.</summary>
    public long MaxResponseBytes
    {
        get => _maxResponseBytes;
        set => _maxResponseBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>The largest MIME message exported (Exchange Online accepts messages up to 150 MB).</summary>
    public long MaxMimeBytes
    {
        get => _maxMimeBytes;
        set => _maxMimeBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Changes per delta page, sent as Prefer: odata.maxpagesize on every page of a round.</summary>
    public int PageSize
    {
        get => _pageSize;
        set => _pageSize = value is >= 1 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A page holds 1 to 1,000 changes.");
    }

    /// <summary>Changes per messages/delta page when the messages' MIME is read too (see <see cref="DefaultMimePageSize"/>).</summary>
    public int MimePageSize
    {
        get => _mimePageSize;
        set => _mimePageSize = value is >= 1 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A page holds 1 to 1,000 changes.");
    }

    /// <summary>
    /// Asks messages/delta for each message's size (PR_MESSAGE_SIZE through $expand of singleValueExtendedProperties).
    /// Off by default: the message resource has no size property, and Microsoft does not document extended properties on
    /// delta, so this is turned on only once a real tenant has shown it works. Off, <c>MailItem.Size</c> stays null.
    /// </summary>
    public bool RequestMessageSize { get; set; }

    /// <summary>
    /// Reads the MIME of a page's messages (-IncludeMime) in JSON $batch requests of up to 20 instead of one $value each.
    /// On: against the simulator it took 28 HTTP requests instead of 455 and 2.6x less time for 450 messages, with no
    /// Retry-After violated (docs/benchmarks.md, "JSON batching"). Each request in a batch still counts against the
    /// mailbox's limits, so a batch takes as many of its 4 slots as the server runs at once.
    /// </summary>
    public bool UseJsonBatching { get; set; } = true;

    /// <summary>
    /// Told about every request when it ends: operation, mailbox, HTTP status and client-request-id, and each retry with
    /// its wait. Never a header, a URL's query or a body, so no token or content reaches it.
    /// </summary>
    public Action<string>? Trace { get; set; }

    public GraphRetryPolicy Retry
    {
        get => _retry;
        set => _retry = value ?? throw new ArgumentNullException(nameof(value));
    }

    public string UserAgent { get; set; } = "InboxPS/" + ProductVersion();

    private static string ProductVersion()
    {
        var assembly = typeof(GraphClientOptions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version.Substring(0, plus);
    }
}
