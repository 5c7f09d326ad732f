using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;

namespace InboxPS.Integration.Tests.Support;

/// <summary>
/// HTTP stacks that trust exactly the simulator's CA, the way an admin trusts an internal CA: test code only, product
/// code keeps the platform's validation.
/// </summary>
public sealed class SimulatorTrust : IMsalHttpClientFactory
{
    private readonly X509Certificate2 _ca;
    private readonly HttpClient _msalClient;

    public SimulatorTrust(X509Certificate2 ca)
    {
        _ca = ca;
        _msalClient = new HttpClient(CreateHandler());
    }

    public HttpClient GetHttpClient() => _msalClient;

    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && IsIssuedByCa(new X509Certificate2(certificate)),
        },
    };

    /// <summary>
    /// The same trust as a certificate check for the product's own HTTP stacks (SignInTransport.ServerCertificateCheck),
    /// so tests of the product's handlers (its proxy) change nothing but which CA is trusted.
    /// </summary>
    public bool CertificateCheck(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate is not null && IsIssuedByCa(certificate);

    /// <summary>A client that does not follow redirects, for reading the authorize endpoint's answer like a browser would.</summary>
    public HttpClient CreateBrowserClient()
    {
        var handler = (SocketsHttpHandler)CreateHandler();
        handler.AllowAutoRedirect = false;
        return new HttpClient(handler);
    }

    private bool IsIssuedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        return chain.Build(certificate);
    }
}
