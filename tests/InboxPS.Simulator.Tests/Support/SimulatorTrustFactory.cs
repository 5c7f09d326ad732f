using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// The HttpClient MSAL uses in tests: it trusts exactly the simulator's CA, read from the PEM file the simulator wrote
/// (as an admin's machine would), through a custom-root chain. Names must still match; nothing else is relaxed.
/// </summary>
public sealed class SimulatorTrustFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client;

    public SimulatorTrustFactory(string caCertificatePath)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        _client = new HttpClient(handler);
    }

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}
