using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace InboxPS.Core.Auth;

/// <summary>Finds the app registration's certificate (object, PFX file, Windows certificate store) and checks it can sign.</summary>
public static class CertificateLoader
{
    public static X509Certificate2 FromFile(string path, SecureString? password)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new InboxException("CertificateFileNotFound", InboxErrorKind.NotFound,
                $"There is no certificate file at '{full}'.", "Give -CertificatePath as the path of the app's .pfx file.", full);
        }

        try
        {
            return RequirePrivateKey(new X509Certificate2(full, password, KeyStorage()), full);
        }
        catch (CryptographicException e)
        {
            throw new InboxException("CertificateUnreadable", InboxErrorKind.InvalidData,
                $"The certificate file '{full}' cannot be opened: the password is wrong or the file is not a PFX (PKCS#12) file.",
                "Check -CertificatePassword, or export the certificate with its private key as .pfx.", full, e);
        }
    }

    // Ephemeral keys never touch the disk. The flag is missing from netstandard2.0's surface (though .NET Framework 4.7.2
    // and .NET have it) and macOS does not support it, so it is looked up by name.
    private static X509KeyStorageFlags KeyStorage() =>
        !RuntimeInformation.IsOSPlatform(OSPlatform.OSX) && Enum.TryParse<X509KeyStorageFlags>("EphemeralKeySet", out var ephemeral)
            ? ephemeral
            : X509KeyStorageFlags.DefaultKeySet;

    public static X509Certificate2 FromStore(string thumbprint)
    {
        var wanted = thumbprint.Replace(" ", string.Empty).Trim();
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            throw new InboxException("CertificateThumbprintNotSupported", InboxErrorKind.InvalidOperation,
                "-CertificateThumbprint looks the certificate up in the Windows certificate store, which this platform does not have.",
                "Use -CertificatePath with the .pfx file and -CertificatePassword, or pass the certificate object with -Certificate.", wanted);
        }

        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            if (found.Count > 0)
            {
                return RequirePrivateKey(found[0], wanted);
            }
        }

        throw new InboxException("CertificateNotFound", InboxErrorKind.NotFound,
            $"No certificate with thumbprint {wanted} is in the CurrentUser\\My or LocalMachine\\My certificate store.",
            "Import the app's certificate with its private key (Import-PfxCertificate -CertStoreLocation Cert:\\CurrentUser\\My), or check the thumbprint.",
            wanted);
    }

    public static X509Certificate2 RequirePrivateKey(X509Certificate2 certificate, object target)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new InboxException("CertificateHasNoPrivateKey", InboxErrorKind.InvalidArgument,
                $"The certificate {certificate.Thumbprint} ({certificate.Subject}) has no private key, so it cannot prove the app's identity.",
                "Use the certificate with its private key (a .pfx file, or the store entry where it was imported with the key).", target);
        }

        return certificate;
    }
}
