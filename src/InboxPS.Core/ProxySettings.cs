using System;
using System.Net;
using System.Net.Http;

namespace InboxPS.Core;

/// <summary>
/// The proxy every request of an organization goes through: EWS, Microsoft Graph and the sign-in alike. Without an
/// <see cref="Address"/> it is the system's proxy (on Linux and macOS HTTPS_PROXY and NO_PROXY, on Windows the
/// system setting). The address is configuration (kept in the organization's profile); the <see cref="Credential"/> is a
/// secret: it lives in memory for one session and is never shown, logged or stored.
/// </summary>
public sealed class ProxySettings
{
    /// <param name="address">The proxy, e.g. http://proxy.contoso.com:8080; null for the system's.</param>
    /// <param name="useDefaultCredentials">Answer the proxy's challenge as the signed-in Windows user (Negotiate, NTLM).</param>
    /// <param name="credential">A user name and password for the proxy (Basic, NTLM); wins over the default credentials.</param>
    public ProxySettings(Uri? address, bool useDefaultCredentials = false, NetworkCredential? credential = null)
    {
        Address = address;
        UseDefaultCredentials = useDefaultCredentials;
        Credential = credential;
    }

    /// <summary>The system's proxy, without credentials: what InboxPS uses when nothing else is set.</summary>
    public static ProxySettings System { get; } = new(null);

    public Uri? Address { get; }

    public bool UseDefaultCredentials { get; }

    public NetworkCredential? Credential { get; }

    /// <summary>How an admin reads which proxy is meant, without any credential.</summary>
    public string Describe() => Address is { } address
        ? $"the proxy {address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)}"
        : "the system's proxy (HTTPS_PROXY and NO_PROXY, or the Windows proxy setting)";

    public override string ToString() => Describe();

    /// <summary>Makes <paramref name="handler"/> send through this proxy and answer its challenge as configured.</summary>
    internal void ApplyTo(HttpClientHandler handler)
    {
        var credentials = (ICredentials?)Credential ?? (UseDefaultCredentials ? CredentialCache.DefaultCredentials : null);
        handler.UseProxy = true;
        if (Address is { } address)
        {
            // Local names are not bypassed: the admin asked for this proxy, and tests reach their simulator through it.
            // Azure's instance metadata endpoint (managed identity tokens) lives on the host itself and never behind a proxy.
            handler.Proxy = new WebProxy(address, BypassOnLocal: false, BypassList: new[] { @"169\.254\.169\.254" }) { Credentials = credentials };
        }
        else if (credentials is not null)
        {
            handler.DefaultProxyCredentials = credentials;
        }
    }
}
