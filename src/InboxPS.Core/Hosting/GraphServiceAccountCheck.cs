using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Graph;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Hosting;

/// <summary>
/// The Graph side of Connect-InboxImpersonation's proof: reads the token's application permissions (roles) and warns
/// about what they cannot do, then opens the test mailbox's inbox over Graph. The call decides, not the roles: a grant
/// through RBAC for Applications in Exchange Online never appears in the token, so a missing role is only a warning.
/// </summary>
internal static class GraphServiceAccountCheck
{
    /// <summary>Roles that read whole messages (MIME included).</summary>
    private static readonly string[] s_fullRead = { "Mail.Read", "Mail.ReadWrite" };

    /// <summary>Roles that read message metadata only: no body, no MIME.</summary>
    private static readonly string[] s_basicRead = { "Mail.ReadBasic.All", "Mail.ReadBasic" };

    public static async Task RunAsync(InboxConnection connection, string mailbox, SignInTransport transport, IInboxSink sink,
        CancellationToken cancellationToken)
    {
        var tokens = connection.Tokens ?? throw new ArgumentException("A Graph connection signs in with OAuth.", nameof(connection));
        var token = await tokens.GetTokenAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        if (RolesWarning(connection.Organization.Name, connection.AppId, JwtClaims.TryRead(token.Token)?.Roles) is { } warning)
        {
            sink.Log(InboxLogLevel.Warning, warning);
        }

        using var client = GraphAccess.ClientFor(connection, transport.ServiceHandlerFor(connection));
        try
        {
            await client.GetMailFolderAsync(mailbox, "inbox", null, cancellationToken).ConfigureAwait(false);
        }
        catch (GraphException e)
        {
            throw Explain(e, connection, mailbox);
        }
    }

    /// <summary>What the token's roles say the app cannot do; null when it has Mail.Read (or the token is opaque).</summary>
    internal static string? RolesWarning(string name, string? appId, IReadOnlyList<string>? roles)
    {
        if (roles is null || roles.Any(r => s_fullRead.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            return null;
        }

        if (roles.Any(r => s_basicRead.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            return $"'{name}': app {appId} has Mail.ReadBasic.All but not Mail.Read, so Start-InboxSync syncs message metadata only " +
                "(no bodies) and -IncludeMime fails with access denied. Grant the application permission Microsoft Graph > Mail.Read with admin consent, " +
                "or the RBAC for Applications role \"Application Mail.Read\".";
        }

        return $"'{name}': the token of app {appId} carries no Mail.Read role. That is expected when the app is granted through RBAC for " +
            "Applications in Exchange Online (those grants are not in the token); the check of the test mailbox that follows decides. " +
            "Otherwise grant Microsoft Graph > Mail.Read (application) with admin consent in Entra ID.";
    }

    private static InboxException Explain(GraphException error, InboxConnection connection, string mailbox)
    {
        var name = connection.Organization.Name;
        var prefix = $"'{name}': app {connection.AppId} signed in, but Microsoft Graph refused to open the test mailbox {mailbox}: {error.Message}";
        return error.ErrorId switch
        {
            GraphErrorIds.MailboxNotFound or GraphErrorIds.MailboxNotEnabled => new InboxException("TestMailboxNotFound", InboxErrorKind.NotFound, prefix,
                $"If {mailbox} is the service account, {ServiceAccountCheck.AssignMailbox(mailbox)} Otherwise give -ServiceAccount as the address of an existing, licensed Exchange Online mailbox the app should reach (check it with Get-EXOMailbox {mailbox}).",
                name, error),
            GraphErrorIds.AccessDenied => new InboxException("GraphAccessNotGranted", InboxErrorKind.PermissionDenied, prefix,
                AccessAdvice(connection, mailbox), name, error),
            GraphErrorIds.Unauthorized => new InboxException("GraphRefusedSignIn", InboxErrorKind.AuthenticationError, prefix,
                $"Add the application permission Microsoft Graph > Mail.Read to app {connection.AppId} and grant admin consent (Entra ID > App registrations > " +
                "API permissions > Grant admin consent), or assign it the RBAC for Applications role \"Application Mail.Read\"; check -TenantId and -Environment.",
                name, error),
            _ => error,
        };
    }

    private static string AccessAdvice(InboxConnection connection, string mailbox)
    {
        var app = connection.AppId ?? "<app id>";
        return $"Either grant Microsoft Graph > Mail.Read (application) to app {app} with admin consent in Entra ID (every mailbox of the tenant), " +
            "or scope it in Exchange Online with RBAC for Applications: " +
            $"New-ServicePrincipal -AppId {app} -ObjectId <enterprise app object id> -DisplayName InboxPS; " +
            "New-ManagementScope -Name InboxPS-Mailboxes -RecipientRestrictionFilter \"<filter that includes " + mailbox + ">\"; " +
            $"New-ManagementRoleAssignment -App {app} -Role \"Application Mail.Read\" -CustomResourceScope InboxPS-Mailboxes " +
            $"(check: Test-ServicePrincipalAuthorization -Identity {app} -Resource {mailbox}); or with an application access policy " +
            $"(New-ApplicationAccessPolicy -AppId {app} -PolicyScopeGroupId <group with {mailbox}> -AccessRight RestrictAccess). " +
            "A tenant-wide Mail.Read consent in Entra ID overrides that scoping until it is removed; changes can take up to two hours to apply.";
    }
}
