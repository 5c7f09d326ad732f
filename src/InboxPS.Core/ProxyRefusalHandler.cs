using System;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core;

/// <summary>
/// Turns a proxy's 407 (Proxy Authentication Required) into one error that names the proxy and what to give it. Without
/// this each protocol would report a dropped connection, retry it, and send the admin to DNS and firewalls. The error
/// stops a sync run once (<see cref="SyncFault.OrganizationSignIn"/>): every mailbox would meet the same proxy.
/// </summary>
internal sealed class ProxyRefusalHandler : DelegatingHandler
{
    public const string ErrorId = "ProxyAuthenticationRequired";

    // .NET names the proxy in its message: "The proxy tunnel request to proxy 'http://host:port/' failed with status code '407'."
    private static readonly Regex s_proxyInMessage = new(@"proxy '(?<uri>[^']+)'", RegexOptions.CultureInvariant);

    private readonly ProxySettings _proxy;

    public ProxyRefusalHandler(ProxySettings proxy, HttpMessageHandler inner)
        : base(inner)
    {
        _proxy = proxy;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (IsProxyRefusal(e))
        {
            throw Refused(request.RequestUri, ProxyNamedIn(e), e);
        }

        // A plain-http request is forwarded, not tunnelled: the proxy's refusal is then an ordinary response.
        if (response.StatusCode == HttpStatusCode.ProxyAuthenticationRequired)
        {
            response.Dispose();
            throw Refused(request.RequestUri, null, null);
        }

        return response;
    }

    private static bool IsProxyRefusal(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            var refused = current switch
            {
                // .NET (PowerShell 7): the CONNECT tunnel failed with the proxy's status code in the message.
                HttpRequestException http => http.Message.Contains("'407'"),

                // .NET Framework (Windows PowerShell 5.1).
                WebException { Response: HttpWebResponse { StatusCode: HttpStatusCode.ProxyAuthenticationRequired } } => true,
                _ => false,
            };
            if (refused)
            {
                return true;
            }
        }

        return false;
    }

    private static string? ProxyNamedIn(Exception error)
    {
        var match = s_proxyInMessage.Match(error.Message);
        return match.Success && Uri.TryCreate(match.Groups["uri"].Value, UriKind.Absolute, out var uri)
            ? uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped)
            : null;
    }

    private InboxException Refused(Uri? target, string? namedProxy, Exception? inner)
    {
        var proxy = _proxy.Address is null && namedProxy is not null ? $"the system's proxy {namedProxy}" : _proxy.Describe();
        var given = _proxy.Credential is not null ? "refused the credential given for it" : "asks for credentials";
        return new InboxException(ErrorId, InboxErrorKind.AuthenticationError,
            $"{Capitalized(proxy)} {given} (407 Proxy Authentication Required) on the way to {target?.Host ?? "the server"}.",
            "Give the proxy's user name and password with Connect-InboxImpersonation -ProxyCredential (Get-Credential), or answer it " +
            "as the signed-in Windows user with Set-InboxAccessType -ProxyUseDefaultCredentials; if you gave them, check them with the proxy's administrator.",
            namedProxy ?? _proxy.Address?.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped), inner, SyncFault.OrganizationSignIn);
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
}
