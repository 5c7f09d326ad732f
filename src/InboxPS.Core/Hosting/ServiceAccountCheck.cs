using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Ews;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Proves a new connection can do the job before it is kept: opens the inbox of the service account's mailbox (the
/// product needs a mailbox and a licence for it) or, app-only, of the test mailbox, through the impersonation header.
/// A refusal becomes one error that names what is missing and the Exchange or Entra setting that grants it.
/// </summary>
internal static class ServiceAccountCheck
{
    public static async Task RunAsync(InboxConnection connection, MailboxIdentity mailbox, SignInTransport transport, CancellationToken cancellationToken)
    {
        var authenticator = EwsAuthentication.For(connection);
        using var disposeAuthenticator = authenticator as System.IDisposable;
        using var client = new EwsClient(new EwsClientOptions(connection.EwsUrl), authenticator, transport.ServiceHandlerFor(connection));
        try
        {
            await client.GetFolderAsync(mailbox, "inbox", null, cancellationToken).ConfigureAwait(false);
        }
        catch (EwsException e)
        {
            throw Explain(e, connection, mailbox);
        }
    }

    private static InboxException Explain(EwsException error, InboxConnection connection, MailboxIdentity mailbox)
    {
        var organization = connection.Organization;
        var name = organization.Name;
        var appOnly = connection.AuthType == AuthType.AppOnly;
        var who = appOnly ? $"app {connection.AppId}" : $"service account {connection.Account}";
        var what = appOnly ? $"the test mailbox {mailbox}" : $"the service account's mailbox {mailbox}";
        var prefix = $"'{name}': the {who} signed in, but EWS refused to open {what}: {error.Message}";
        return error.ErrorId switch
        {
            "EwsMailboxNotFound" or "EwsInvalidLicense" => new InboxException(
                appOnly ? "TestMailboxNotFound" : "ServiceAccountHasNoMailbox", InboxErrorKind.NotFound, prefix,
                appOnly
                    ? $"If {mailbox} is the service account, {AssignMailbox(mailbox.Value)} Otherwise give -ServiceAccount as the address of an existing, licensed mailbox the app should reach (check it with Get-Mailbox {mailbox})."
                    : $"The service account needs a mailbox of its own: {AssignMailbox(connection.Account ?? mailbox.Value)} Or give -ServiceAccount as its mailbox address.",
                name, error),
            "EwsImpersonationDenied" or "EwsAccessDenied" => new InboxException("ImpersonationNotGranted", InboxErrorKind.PermissionDenied,
                prefix, ImpersonationAdvice(connection, mailbox), name, error),
            "EwsUnauthorized" => new InboxException("ExchangeRefusedSignIn", InboxErrorKind.AuthenticationError, prefix,
                UnauthorizedAdvice(connection), name, error),
            _ => error,
        };
    }

    /// <summary>What gives an account the mailbox and licence InboxPS needs, in Exchange Online and Exchange Server.</summary>
    internal static string AssignMailbox(string account) =>
        $"assign {account} a licence that includes Exchange Online (Microsoft 365 admin center > Users > Active users > Licenses and apps) " +
        $"and wait until Get-EXOMailbox {account} finds its mailbox; on Exchange Server create the mailbox with Enable-Mailbox {account}.";

    private static string ImpersonationAdvice(InboxConnection connection, MailboxIdentity mailbox)
    {
        if (connection.AuthType == AuthType.AppOnly)
        {
            return $"In Entra ID grant the app {connection.AppId} the application permission full_access_as_app (Office 365 Exchange Online) with admin consent; " +
                $"if RBAC for Applications or an application access policy limits the app, include {mailbox} in its scope.";
        }

        if (ExchangeCloud.IsExchangeOnline(connection.EwsUrl))
        {
            return "Exchange Online removed the ApplicationImpersonation role in February 2025, so a signed-in service account cannot impersonate there. " +
                $"Switch to app-only: Set-InboxAccessType -Organization {connection.Organization.Name} -AccessType {AccessType.OAuthAppOnly}, then connect with a certificate.";
        }

        return $"Grant the service account impersonation: New-ManagementRoleAssignment -Role ApplicationImpersonation -User {connection.Account} " +
            $"(add -CustomRecipientWriteScope <scope> to limit it, and make sure the scope includes {mailbox}).";
    }

    private static string UnauthorizedAdvice(InboxConnection connection) => connection.AuthType switch
    {
        AuthType.AppOnly => $"Add the application permission full_access_as_app (Office 365 Exchange Online) to app {connection.AppId} and grant admin consent; check -TenantId and -Environment.",
        AuthType.Delegated => $"Add the delegated permission EWS.AccessAsUser.All (Office 365 Exchange Online) to app {connection.AppId} and grant admin consent; check -Environment.",
        _ => "Check the service account's user name and password, and that basic authentication is enabled on the EWS virtual directory (Get-WebServicesVirtualDirectory | Format-List BasicAuthentication).",
    };
}
