using System;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Auth;

/// <summary>
/// One Connect-InboxImpersonation: the sign-in method and what it needs. Values left null fall back to the organization's
/// profile. Secrets stay in SecureString/X509Certificate2 until the moment MSAL needs them and are never logged.
/// </summary>
public sealed class SignInRequest
{
    public SignInRequest(SignInMethod method)
    {
        Method = method;
    }

    public SignInMethod Method { get; }

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Identity endpoint override for sovereign, custom or test authorities.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The service account (delegated login hint, basic user name) or, app-only, the mailbox to test with.</summary>
    public string? ServiceAccount { get; set; }

    public X509Certificate2? Certificate { get; set; }

    public SecureString? ClientSecret { get; set; }

    public SecureString? AccessToken { get; set; }

    public NetworkCredential? Credential { get; set; }

    /// <summary>The user name and password the organization's proxy asks for; kept in memory for this connection only.</summary>
    public NetworkCredential? ProxyCredential { get; set; }

    /// <summary>Client id (or resource id) of a user-assigned managed identity; null for the system-assigned one.</summary>
    public string? ManagedIdentityAccountId { get; set; }

    /// <summary>Receives the device-code instructions (the URL and the code) on whatever thread MSAL calls back on.</summary>
    public Func<string, CancellationToken, Task>? DeviceCodeMessage { get; set; }

    public AuthType AuthType => Method switch
    {
        SignInMethod.Interactive or SignInMethod.DeviceCode => AuthType.Delegated,
        SignInMethod.Credential => AuthType.Basic,
        _ => AuthType.AppOnly,
    };
}
