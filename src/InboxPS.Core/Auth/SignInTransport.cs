using System;
using System.Net.Http;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace InboxPS.Core.Auth;

/// <summary>
/// How sign-ins and the verification call reach the network. Product code uses the defaults (the OS trust store, the
/// system browser); tests hand in an HTTP stack that trusts only their simulator's CA, and a headless web UI.
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

    /// <summary>Replaces the system browser of an interactive sign-in (authorization-code flow without a desktop).</summary>
    public ICustomWebUi? WebUi { get; set; }

    /// <summary>The clock token renewal looks at.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
}
