using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace InboxPS.Core;

/// <summary>
/// The one place the core makes its HTTP handlers: every request to EWS, Microsoft Graph and the identity endpoint goes
/// through handlers made here, so they all take the same proxy (<see cref="ProxySettings"/>) and a proxy that refuses
/// fails the same clear way (ProxyAuthenticationRequired). One stack per connection; it owns its handlers.
/// </summary>
public sealed class HttpStack : IDisposable
{
    private readonly HttpMessageHandler _serviceHandler;
    private readonly HttpClient _signInClient;

    /// <param name="proxy">The proxy every request takes.</param>
    /// <param name="certificateCheck">Replaces the platform's check of server certificates; null in product code (tests
    /// trust their simulator's CA with it).</param>
    public HttpStack(ProxySettings proxy,
        Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? certificateCheck = null)
    {
        Proxy = proxy ?? throw new ArgumentNullException(nameof(proxy));
        _serviceHandler = CreateServiceHandler(proxy, certificateCheck);

        // MSAL follows the identity endpoint's redirects and keeps its own cookies out of it; only the proxy is ours.
        var signIn = new HttpClientHandler();
        Configure(signIn, proxy, certificateCheck);
        _signInClient = new HttpClient(new ProxyRefusalHandler(proxy, signIn));
    }

    public ProxySettings Proxy { get; }

    /// <summary>Under the EWS and Graph clients: one pool of connections for every mailbox of the organization.</summary>
    public HttpMessageHandler ServiceHandler => _serviceHandler;

    /// <summary>The client MSAL sends sign-ins and token renewals with.</summary>
    public HttpClient SignInClient => _signInClient;

    /// <summary>
    /// A handler for EWS or Graph: redirects surface as errors (credentials and tokens must not follow them), no cookies
    /// (one mailbox's server affinity must not reach another's requests), compressed answers, many connections, and
    /// requests held at a <see cref="ConcurrencyGateHandler"/> so no more are in flight than the server takes.
    /// </summary>
    public static HttpMessageHandler CreateServiceHandler(ProxySettings proxy,
        Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? certificateCheck = null)
    {
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseDefaultCredentials = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        Configure(handler, proxy, certificateCheck);

        try
        {
            // .NET Framework allows 2 connections per host by default, which would serialize parallel mailboxes. The
            // gate keeps the requests, and so the connections, in use near what the server takes.
            handler.MaxConnectionsPerServer = ConcurrencyGateHandler.Ceiling;
        }
        catch (PlatformNotSupportedException)
        {
        }

        return new ConcurrencyGateHandler(new ProxyRefusalHandler(proxy, handler));
    }

    public void Dispose()
    {
        _signInClient.Dispose();
        _serviceHandler.Dispose();
    }

    private static void Configure(HttpClientHandler handler, ProxySettings proxy,
        Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? certificateCheck)
    {
        proxy.ApplyTo(handler);
        if (certificateCheck is not null)
        {
            handler.ServerCertificateCustomValidationCallback = certificateCheck;
        }
    }
}
