using System;
using System.Reflection;

namespace InboxPS.Core.Ews;

/// <summary>Where and how an <see cref="EwsClient"/> talks to Exchange.</summary>
public sealed class EwsClientOptions
{
    private static readonly string s_defaultUserAgent = "InboxPS/" + ProductVersion();

    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(100);
    private long _maxResponseBytes = 64L * 1024 * 1024;
    private EwsRetryPolicy _retry = new();
    private string _userAgent = s_defaultUserAgent;

    /// <param name="ewsUrl">The EWS endpoint, e.g. https://outlook.office365.com/EWS/Exchange.asmx.</param>
    public EwsClientOptions(Uri ewsUrl)
    {
        if (ewsUrl is null)
        {
            throw new ArgumentNullException(nameof(ewsUrl));
        }

        if (!ewsUrl.IsAbsoluteUri || (ewsUrl.Scheme != Uri.UriSchemeHttps && ewsUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{ewsUrl}' is not an http(s) address of an EWS endpoint.", nameof(ewsUrl));
        }

        EwsUrl = ewsUrl;
    }

    public Uri EwsUrl { get; }

    /// <summary>The RequestServerVersion every request declares; see <see cref="ExchangeServerVersion"/> for the default.</summary>
    public ExchangeServerVersion RequestServerVersion { get; set; } = ExchangeServerVersion.Exchange2010_SP2;

    /// <summary>How long one attempt (sending, waiting, and reading the whole response) may take.</summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive and under 24 days.");
    }

    /// <summary>
    /// The largest response body read (after decompression); larger ones fail with EwsResponseTooLarge. Keep GetItem
    /// batches with MIME content small enough to fit.
    /// </summary>
    public long MaxResponseBytes
    {
        get => _maxResponseBytes;
        set => _maxResponseBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>
    /// Told about every request when it ends: operation, mailbox, HTTP status, time, client-request-id, and the retry
    /// that follows. For the debug stream; it never carries a header or a body, so no token or content reaches it.
    /// </summary>
    public Action<string>? Trace { get; set; }

    public EwsRetryPolicy Retry
    {
        get => _retry;
        set => _retry = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// One stable value for every request ("InboxPS/&lt;version&gt;"): Microsoft asks for it, and organizations can
    /// allow or block EWS clients by it.
    /// </summary>
    public string UserAgent
    {
        get => _userAgent;
        set => _userAgent = IsHeaderSafe(value) ? value : throw new ArgumentException("The user agent must be a non-empty single line.", nameof(value));
    }

    private static bool IsHeaderSafe(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        foreach (var c in value!)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    // The informational version without its "+commit" build metadata, so the value stays the same across builds.
    private static string ProductVersion()
    {
        var assembly = typeof(EwsClientOptions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version.Substring(0, plus);
    }
}
