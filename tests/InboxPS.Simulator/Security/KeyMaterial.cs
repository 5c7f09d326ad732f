using System;
using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace InboxPS.Simulator.Security;

/// <summary>
/// The simulator's keys: a CA that callers trust the way an admin trusts an internal CA, a TLS certificate for
/// 127.0.0.1/localhost signed by it, the certificate registered on the app-only app (client assertions), and the key that
/// signs access tokens. Generated once per process: RSA key generation is the slowest part of starting, and many
/// simulators start in one test run.
/// </summary>
internal sealed class KeyMaterial
{
    private static readonly Lazy<KeyMaterial> s_shared = new(Generate);

    private KeyMaterial(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 app, RSA tokenKey, string tokenKeyId)
    {
        CaCertificate = ca;
        ServerCertificate = server;
        AppCertificate = app;
        TokenSigningKey = tokenKey;
        TokenKeyId = tokenKeyId;
    }

    public static KeyMaterial Shared => s_shared.Value;

    /// <summary>The CA (public part only: the private key is not needed after signing the server certificate).</summary>
    public X509Certificate2 CaCertificate { get; }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>With its private key: exported, password-protected, for callers that sign client assertions.</summary>
    public X509Certificate2 AppCertificate { get; }

    public RSA TokenSigningKey { get; }

    public string TokenKeyId { get; }

    private static KeyMaterial Generate()
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = notBefore.AddYears(2);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=InboxPS Exchange Simulator CA, O=InboxPS tests", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var serverPublic = serverRequest.Create(ca, notBefore, notAfter.AddDays(-1), serial);
        using var serverWithKey = serverPublic.CopyWithPrivateKey(serverKey);

        using var appKey = RSA.Create(2048);
        var appRequest = new CertificateRequest("CN=InboxPS Simulator App", appKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        appRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var app = appRequest.CreateSelfSigned(notBefore, notAfter);

        var tokenKey = RSA.Create(2048);
        var keyId = Base64Url.EncodeToString(SHA256.HashData(tokenKey.ExportSubjectPublicKeyInfo()).AsSpan(0, 20));

        // Round-trip through PKCS#12 so the private keys are persisted key objects every platform's TLS stack accepts.
        return new KeyMaterial(
            X509CertificateLoader.LoadCertificate(ca.RawData),
            Reload(serverWithKey),
            Reload(app),
            tokenKey,
            keyId);
    }

    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
