using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Authentication;
using System.Net.Http;
using System.Text.RegularExpressions;
using InboxPS.Core.Organizations;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

/// <summary>
/// Turns MSAL's failures into errors an Exchange admin can act on: what is wrong, in the admin's words, and the Entra or
/// Exchange setting that fixes it. Every message passes through <see cref="Redact"/> so no secret can leak into it.
/// </summary>
internal static class SignInErrors
{
    public const string ReconnectId = "ReconnectServiceAccount";

    private static readonly Regex s_aadsts = new(@"AADSTS(\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex s_aadstsSentence = new(@"(AADSTS\d+:.*?)(?:\s+Trace ID:|\r|\n|$)", RegexOptions.CultureInvariant);

    /// <summary>A failure of the first sign-in (Connect-InboxImpersonation): as specific as MSAL lets us be.</summary>
    public static InboxException ForSignIn(Exception error, OrganizationProfile organization, SignInMethod method, IReadOnlyCollection<string> secrets)
    {
        var name = organization.Name;
        var detail = Redact(Detail(error.Message), secrets);
        var code = AadstsCode(error);
        var app = organization.ClientId ?? "<app>";
        if (UntrustedCertificate(error) is { } tls)
        {
            return CertificateUntrusted(name, organization.Authority, tls, error);
        }

        switch (error)
        {
            case HttpRequestException or TimeoutException or OperationCanceledException:
                return Unreachable(name, detail, error);
            case MsalServiceException service when service.StatusCode >= 500 || service.StatusCode == 429:
                return Unreachable(name, detail, null);
        }

        switch (code)
        {
            case "7000215" or "7000222" or "700027" or "700024" or "7000274":
                return new InboxException("ClientCredentialRejected", InboxErrorKind.AuthenticationError,
                    $"Microsoft Entra ID rejected the {CredentialName(method)} of app {app} for '{name}': {detail}",
                    $"Check the app registration's Certificates & secrets in Entra ID (the {CredentialName(method)} must be registered and not expired), then connect again.",
                    name);
            case "90002" or "900023" or "90072":
                return new InboxException("TenantNotFound", InboxErrorKind.AuthenticationError,
                    $"The tenant '{organization.TenantId}' was not found by the identity endpoint for '{name}': {detail}",
                    "Give -TenantId as your tenant's id (a GUID) or its domain, e.g. contoso.onmicrosoft.com, and check -Environment.",
                    name);
            case "700016":
                return new InboxException("ApplicationNotFound", InboxErrorKind.AuthenticationError,
                    $"The app {app} is not registered in tenant '{organization.TenantId}' for '{name}': {detail}",
                    "Check -ClientId (the app registration's Application (client) ID) and -TenantId, or consent to the app in that tenant.",
                    name);
            case "65001" or "500011" or "7000112" or "50105":
                return new InboxException("ConsentRequired", InboxErrorKind.PermissionDenied,
                    $"App {app} may not get {(organization.UsesGraph ? "a Microsoft Graph" : "an Exchange")} token for '{name}' yet: {detail}",
                    organization.UsesGraph
                        ? "In Entra ID, add the application permission Microsoft Graph > Mail.Read to the app and grant admin consent " +
                          "(or, to limit it to some mailboxes, grant it through RBAC for Applications in Exchange Online instead; see Get-Help about_InboxPS)."
                        : method is SignInMethod.Interactive or SignInMethod.DeviceCode
                        ? "In Entra ID, add the delegated permission Office 365 Exchange Online > EWS.AccessAsUser.All to the app and grant admin consent."
                        : "In Entra ID, add the application permission Office 365 Exchange Online > full_access_as_app to the app and grant admin consent.",
                    name);
            case "7000218":
                return new InboxException("PublicClientFlowsDisabled", InboxErrorKind.AuthenticationError,
                    $"App {app} does not allow device-code or other public-client sign-ins for '{name}': {detail}",
                    "In Entra ID, open the app registration > Authentication and set 'Allow public client flows' to Yes.", name);
            case "70019" or "70020" or "70016":
                return new InboxException("DeviceCodeExpired", InboxErrorKind.OperationTimeout,
                    $"Nobody completed the device-code sign-in for '{name}' in time.",
                    "Run Connect-InboxImpersonation -DeviceCode again and enter the code promptly.", name);
            case "50126" or "50053" or "50055" or "50057" or "50034":
                return new InboxException("ServiceAccountSignInFailed", InboxErrorKind.AuthenticationError,
                    $"The service account could not sign in for '{name}': {detail}",
                    "Check the service account's user name, password and that it is enabled and not locked out.", name);
        }

        if (error is MsalClientException client)
        {
            if (client.ErrorCode is MsalError.AuthenticationCanceledError)
            {
                return new InboxException("SignInCanceled", InboxErrorKind.OperationStopped,
                    $"The sign-in for '{name}' was cancelled.", "Run Connect-InboxImpersonation again and complete the sign-in.", name);
            }

            if (method == SignInMethod.Interactive && client.ErrorCode is MsalError.LinuxXdgOpen or MsalError.WebviewUnavailable
                    or "browser_not_available" or MsalError.LoopbackRedirectUri)
            {
                return new InboxException("BrowserUnavailable", InboxErrorKind.InvalidOperation,
                    $"No browser could be opened for the sign-in of '{name}': {detail}",
                    "Use Connect-InboxImpersonation -DeviceCode in consoles without a browser.", name);
            }
        }

        return new InboxException("SignInFailed", InboxErrorKind.AuthenticationError,
            $"Signing in for '{name}' failed: {detail}",
            "Check -TenantId, -ClientId and the app registration in Entra ID, then run Connect-InboxImpersonation again.",
            name);
    }

    /// <summary>
    /// A failure while renewing a token of a live connection. Anything but a passing outage means the sign-in is gone
    /// (password changed, refresh token revoked, secret rotated): one "reconnect" error for the whole organization.
    /// </summary>
    public static InboxException ForRenewal(Exception error, string organization, IReadOnlyCollection<string> secrets)
    {
        var detail = Redact(Detail(error.Message), secrets);
        if (UntrustedCertificate(error) is { } tls)
        {
            // Every mailbox of the organization would fail the same way: the run stops once.
            return CertificateUntrusted(organization, null, tls, error, SyncFault.OrganizationSignIn);
        }

        if (IsTransient(error))
        {
            return Unreachable(organization, detail, error as HttpRequestException);
        }

        var why = error is MsalUiRequiredException
            ? "its sign-in is no longer valid (the service account's password changed, or its session was revoked)"
            : "the identity provider refused to renew its token";
        return Reconnect(organization, $"InboxPS cannot renew the service account's token for '{organization}': {why}. {detail}");
    }

    public static InboxException Reconnect(string organization, string message) =>
        new(ReconnectId, InboxErrorKind.AuthenticationError, message,
            $"Run Connect-InboxImpersonation -Organization {organization} again to sign the service account in.", organization,
            fault: SyncFault.OrganizationSignIn);

    public static bool IsTransient(Exception error) => error switch
    {
        HttpRequestException or TimeoutException => true,
        MsalServiceException service => service.StatusCode >= 500 || service.StatusCode == 429,
        MsalClientException client => client.ErrorCode is MsalError.RequestTimeout or "service_not_available",
        _ => false,
    };

    /// <summary>Removes every secret the caller handed over from <paramref name="text"/>, whatever the identity endpoint echoed.</summary>
    public static string Redact(string text, IEnumerable<string> secrets) =>
        secrets.Where(s => s.Length >= 4).Aggregate(text, (current, secret) => current.Replace(secret, "***"));

    private static InboxException Unreachable(string organization, string detail, Exception? inner) =>
        new("IdentityProviderUnavailable", InboxErrorKind.ResourceUnavailable,
            $"The identity endpoint did not answer the sign-in for '{organization}': {detail}",
            "Check the network path to the sign-in endpoint (proxy, firewall, -Authority) and try again.", organization, inner);

    // A TLS failure (untrusted root, wrong host name, expired certificate) somewhere in the chain MSAL or HttpClient
    // wrapped it in: not "unreachable", which would send the admin to DNS and firewalls.
    private static AuthenticationException? UntrustedCertificate(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is AuthenticationException tls)
            {
                return tls;
            }
        }

        return null;
    }

    private static InboxException CertificateUntrusted(string organization, Uri? authority, AuthenticationException tls, Exception error,
        SyncFault fault = SyncFault.None)
    {
        var host = authority?.Host ?? "the identity endpoint";
        return new InboxException("IdentityProviderCertificateUntrusted", InboxErrorKind.ConnectionError,
            $"The sign-in for '{organization}' could not start: the TLS certificate of {host} is not trusted ({tls.Message}).",
            $"Make this machine trust the certificate of {host} (install its issuing CA, or configure the proxy that inspects TLS to be trusted), or check -Authority names the host the certificate was issued for.",
            organization, error, fault);
    }

    private static string? AadstsCode(Exception error)
    {
        var match = s_aadsts.Match(error.Message);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// The identity provider's own sentence ("AADSTS7000215: Invalid client secret provided...") without MSAL's preamble
    /// and the trace/correlation ids; otherwise the first line of the message.
    /// </summary>
    private static string Detail(string message)
    {
        var aadsts = s_aadstsSentence.Match(message);
        var line = aadsts.Success ? aadsts.Groups[1].Value : message.Split('\r', '\n').FirstOrDefault(l => l.Trim().Length > 0) ?? message;
        line = line.Trim();
        return line.Length > 400 ? line.Substring(0, 400) + "..." : line;
    }

    private static string CredentialName(SignInMethod method) => method == SignInMethod.ClientSecret ? "client secret" : "certificate";
}
