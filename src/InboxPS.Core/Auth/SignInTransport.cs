using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace InboxPS.Core.Auth;

/// <summary>
/// How sign-ins and the verification call reach the network. Product code uses the defaults (the OS trust store, the
/// system browser, and an <see cref="HttpStack"/> per connection over the organization's proxy); tests hand in an HTTP
/// stack that trusts only their simulator's CA, or just that trust, and a headless web UI.
/// </summary>
public sealed class SignInTransport
{
    /// <summary>The HTTP client MSAL uses; null for MSAL's own.</summary>
    public IMsalHttpClientFactory? MsalHttpClientFactory { get; set; }

    /// <summary>
    /// The handler under the EWS or Graph client that verifies the service account, and under the Graph clients of this
    /// registry's connections; null for the default. The caller keeps ownership of it.
    /// </summary>
    public HttpMessageHandler? EwsHandler { get; set; }

    /// <summary>
    /// Replaces the platform's check of server certificates in the HTTP stacks made for connections (see
    /// <see cref="StackFor"/>); null in product code.
    /// </summary>
    public Func<HttpRequestMessage, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateCheck { get; set; }

    /// <summary>Replaces the system browser of an interactive sign-in (authorization-code flow without a desktop).</summary>
    public ICustomWebUi? WebUi { get; set; }

    /// <summary>The clock token renewal looks at.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>A connection's HTTP stack: every request it makes goes through <paramref name="proxy"/>.</summary>
    public HttpStack StackFor(ProxySettings proxy) => new(proxy, ServerCertificateCheck);

    /// <summary>The MSAL HTTP client: the one handed in, else the stack's.</summary>
    internal IMsalHttpClientFactory MsalClientsFor(HttpStack http) => MsalHttpClientFactory ?? new SignInHttpClients(http.SignInClient);

    /// <summary>The handler under a connection's EWS and Graph clients: the one handed in, else the stack's.</summary>
    internal HttpMessageHandler ServiceHandlerFor(InboxConnection connection) => EwsHandler ?? connection.Http.ServiceHandler;
}
