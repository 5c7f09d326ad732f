using System.Net;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Xml.Linq;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// A deliberately plain EWS client for tests: hand-written SOAP over HttpClient, answers parsed with XLinq. It shares
/// nothing with InboxPS's own EWS client, so the two readings of the schema check each other.
/// </summary>
public sealed class EwsClient : IDisposable
{
    public static readonly XNamespace S = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";
    public static readonly XNamespace M = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public static readonly XNamespace E = "http://schemas.microsoft.com/exchange/services/2006/errors";

    private readonly ExchangeSimulator _simulator;
    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _auth;

    public EwsClient(ExchangeSimulator simulator, AuthenticationHeaderValue? auth)
    {
        _simulator = simulator;
        _auth = auth;
        _http = new HttpClient(simulator.CreateTrustingHandler()) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The service account with Basic authentication (the on-premises way).</summary>
    public static EwsClient Basic(ExchangeSimulator simulator, string? password = null) => new(simulator, BasicHeader(simulator.ServiceAccount, password ?? simulator.ServiceAccountPassword));

    public static EwsClient Bearer(ExchangeSimulator simulator, string token) => new(simulator, new AuthenticationHeaderValue("Bearer", token));

    public static AuthenticationHeaderValue BasicHeader(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>Sends one operation, impersonating <paramref name="mailbox"/> (none when null) with the given ConnectingSID form.</summary>
    public async Task<EwsAnswer> SendAsync(string operationXml, string? mailbox, string idKind = "PrimarySmtpAddress", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _simulator.EwsUrl)
        {
            Content = new StringContent(Envelope(operationXml, mailbox, idKind), Encoding.UTF8, "text/xml"),
        };
        request.Headers.Authorization = _auth;
        if (mailbox is not null && idKind is "PrimarySmtpAddress" or "SmtpAddress")
        {
            request.Headers.Add("X-AnchorMailbox", mailbox);
        }

        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new EwsAnswer(response.StatusCode, response.Headers, text);
    }

    public static string Envelope(string operationXml, string? mailbox, string idKind = "PrimarySmtpAddress")
    {
        var impersonation = mailbox is null ? "" :
            $"<t:ExchangeImpersonation><t:ConnectingSID><t:{idKind}>{SecurityElement.Escape(mailbox)}</t:{idKind}></t:ConnectingSID></t:ExchangeImpersonation>";
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="{T}" xmlns:m="{M}">
              <soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/>{impersonation}</soap:Header>
              <soap:Body>{operationXml}</soap:Body>
            </soap:Envelope>
            """;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An EWS answer: status, headers, body, and the first response message when there is one.</summary>
public sealed record EwsAnswer(HttpStatusCode Status, HttpResponseHeaders Headers, string Text)
{
    private readonly Lazy<XDocument> _xml = new(() => XDocument.Parse(Text));

    public XDocument Xml => _xml.Value;

    /// <summary>Whether the body is XML at all (a 503 from the server's front door has no body).</summary>
    public bool HasXml => Text.TrimStart().StartsWith('<');

    public IReadOnlyList<XElement> Messages =>
        HasXml ? Xml.Descendants(EwsClient.M + "ResponseMessages").Elements().ToList() : Array.Empty<XElement>();

    public XElement Message => Messages.Count > 0 ? Messages[0] : throw new InvalidOperationException("No response message in:\n" + Text);

    /// <summary>The first response message's ResponseCode; empty for faults and bodiless answers.</summary>
    public string ResponseCode => Messages.Count > 0 ? (string?)Message.Element(EwsClient.M + "ResponseCode") ?? "" : "";

    /// <summary>The SOAP fault's ResponseCode (errors namespace), for HTTP 500 answers.</summary>
    public string? FaultCode => HasXml ? (string?)Xml.Descendants(EwsClient.E + "ResponseCode").FirstOrDefault() : null;

    public long? BackOffMilliseconds =>
        HasXml && Xml.Descendants(EwsClient.T + "Value").FirstOrDefault(v => (string?)v.Attribute("Name") == "BackOffMilliseconds") is { } value ? (long)value : null;
}
