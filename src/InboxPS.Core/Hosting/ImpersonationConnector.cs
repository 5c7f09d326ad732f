using System;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Ews;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Connect-InboxImpersonation's work: signs the service account (or app) in with the requested method, proves over EWS
/// that it can do the job (the service account has a mailbox; app-only: a test mailbox can be impersonated), remembers
/// the tenant, app and account in the organization's profile, and registers the live connection.
/// </summary>
public sealed class ImpersonationConnector
{
    private readonly IInboxStore _store;
    private readonly ConnectionRegistry _connections;
    private readonly SignInTransport _transport;
    private readonly IInboxSink _sink;

    /// <param name="store">Where the profile is read and saved; the saved sign-in goes to the tokens folder beside it.</param>
    /// <param name="connections">Where the new connection is registered; its transport is the one sign-ins use.</param>
    public ImpersonationConnector(IInboxStore store, ConnectionRegistry connections, IInboxSink? sink = null)
    {
        _store = store;
        _connections = connections;
        _transport = connections.Transport;
        _sink = sink ?? NullSink.Instance;
    }

    /// <exception cref="InboxException">The organization, the sign-in or the check failed; the error says what to fix.</exception>
    public async Task<InboxConnection> ConnectAsync(string? organization, SignInRequest request, CancellationToken cancellationToken)
    {
        var stored = OrganizationResolver.Resolve(_store, organization);
        var profile = WithRequestValues(stored, request);
        RequireMatchingAccessType(profile, request.Method);

        var savedCache = ConnectionRegistry.CacheFileOf(TokenCacheFile.FolderBeside(_store.Location), profile.Name);
        var cacheFile = savedCache.Pending();
        cacheFile.Delete();
        InboxConnection? connection = null;
        var http = _transport.StackFor(profile.ProxyFor(request.ProxyCredential));
        try
        {
            connection = await SignInAsync(profile, request, cacheFile, savedCache.Path, http, cancellationToken).ConfigureAwait(false);
            var mailbox = MailboxToCheck(profile, request, connection);
            _sink.Log(InboxLogLevel.Verbose, profile.UsesGraph
                ? $"'{profile.Name}': signed in; calling Microsoft Graph at {profile.GraphUrl?.ToString() ?? profile.Environment.ToString()} to read the mailbox {mailbox.Value}, which proves the app can reach mailboxes."
                : $"'{profile.Name}': signed in; calling EWS at {profile.EwsUrl} to open the inbox of {mailbox.Value}, which proves the service account can impersonate.");
            if (profile.UsesGraph)
            {
                await GraphServiceAccountCheck.RunAsync(connection, mailbox.Value, _transport, _sink, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ServiceAccountCheck.RunAsync(connection, mailbox, _transport, cancellationToken).ConfigureAwait(false);
            }

            profile.ServiceAccount = mailbox.Value;
        }
        catch (Exception e)
        {
            // A sign-in that cannot do the job is not kept, and the organization's previous sign-in stays as it was.
            if (connection is null)
            {
                http.Dispose();
            }
            else
            {
                connection.Dispose();
            }

            cacheFile.Delete();
            if (e is InboxException failure)
            {
                _connections.RecordFailure(profile.Name, failure);
                if (connection is not null)
                {
                    RememberSignInValues(stored, profile);
                }
            }

            throw;
        }

        if (request.AuthType == AuthType.Delegated)
        {
            cacheFile.Commit();
            WarnIfUnencrypted(cacheFile);
        }

        _store.SaveOrganization(profile);
        return _connections.Add(connection);
    }

    private async Task<InboxConnection> SignInAsync(OrganizationProfile profile, SignInRequest request, TokenCacheFile cacheFile,
        string savedCachePath, HttpStack http, CancellationToken cancellationToken)
    {
        if (request.Method == SignInMethod.Credential)
        {
            var credential = request.Credential ?? throw new ArgumentException("A basic sign-in needs the credential.", nameof(request));
            // The service account check that follows builds the EWS authenticator, which refuses a user name it cannot send.
            return InboxConnection.ForBasic(profile, new PasswordCredential(credential.UserName, credential.SecurePassword), http);
        }

        var settings = OAuthSettings.For(profile);
        _sink.Log(InboxLogLevel.Verbose, request.Method == SignInMethod.AccessToken
            ? $"'{profile.Name}': reading the access token that was given."
            : $"'{profile.Name}': acquiring a token ({request.Method}) from the authority {settings.Authority} for {settings.Resource}" +
              (profile.ClientId is { } app ? $", app {app}" : string.Empty) + "; MSAL first discovers the authority's endpoints.");
        var signIn = await MsalSignIn.SignInAsync(profile, request, cacheFile, _transport, http, cancellationToken).ConfigureAwait(false);
        var persisted = request.AuthType == AuthType.Delegated ? savedCachePath : null;
        return InboxConnection.ForOAuth(profile, request.Method, signIn, _transport, persisted, http);
    }

    /// <summary>
    /// The mailbox the check opens: the signed-in service account's own (delegated, basic) or the named test mailbox
    /// (app-only, where no user signs in).
    /// </summary>
    private static MailboxIdentity MailboxToCheck(OrganizationProfile profile, SignInRequest request, InboxConnection connection)
    {
        if (!string.IsNullOrWhiteSpace(request.ServiceAccount))
        {
            return new MailboxIdentity(request.ServiceAccount!);
        }

        if (connection.AuthType == AuthType.Delegated && connection.Account is { } account)
        {
            return new MailboxIdentity(account, ConnectingSidKind.PrincipalName);
        }

        if (connection.AuthType == AuthType.Basic && connection.Account is { } user && user.Contains("@"))
        {
            return new MailboxIdentity(user, ConnectingSidKind.PrincipalName);
        }

        if (!string.IsNullOrWhiteSpace(profile.ServiceAccount))
        {
            return new MailboxIdentity(profile.ServiceAccount!);
        }

        var what = connection.AuthType == AuthType.AppOnly
            ? "An app-only sign-in has no mailbox of its own, so InboxPS needs a mailbox to prove it can impersonate"
            : $"The user name '{connection.Account}' is not an e-mail address, so InboxPS cannot tell which mailbox is the service account's";
        throw new InboxException("ServiceAccountRequired", InboxErrorKind.InvalidArgument,
            $"{what} ('{profile.Name}').",
            "Add -ServiceAccount <mailbox address>: the service account's mailbox, or for app-only any mailbox the app should reach.",
            profile.Name);
    }

    private static void RequireMatchingAccessType(OrganizationProfile profile, SignInMethod method)
    {
        var fits = profile.AccessType switch
        {
            AccessType.OAuthImpersonation => method is SignInMethod.Interactive or SignInMethod.DeviceCode or SignInMethod.AccessToken,
            AccessType.OAuthAppOnly or AccessType.GraphAppOnly =>
                method is SignInMethod.ClientSecret or SignInMethod.Certificate or SignInMethod.ManagedIdentity or SignInMethod.AccessToken,
            _ => method == SignInMethod.Credential,
        };
        if (fits)
        {
            return;
        }

        var expected = profile.AccessType switch
        {
            AccessType.OAuthImpersonation => "an interactive or -DeviceCode sign-in of the service account",
            AccessType.OAuthAppOnly or AccessType.GraphAppOnly => "-CertificateThumbprint, -Certificate, -CertificatePath, -ClientSecret, -ManagedIdentity or -AccessToken",
            _ => "-Credential",
        };
        throw new InboxException("SignInDoesNotMatchAccessType", InboxErrorKind.InvalidArgument,
            $"'{profile.Name}' uses access type {profile.AccessType}, which signs in with {expected}; a {method} sign-in does not fit it.",
            $"Connect with {expected}, or change the access type with Set-InboxAccessType -Organization {profile.Name} -AccessType <type>.",
            profile.Name);
    }

    /// <summary>
    /// The sign-in worked but the mailbox check did not: the tenant, app and authority (never a secret) are kept where the
    /// profile had none, so the retry needs only the fix (-ServiceAccount, a permission) and the secret.
    /// </summary>
    private void RememberSignInValues(OrganizationProfile stored, OrganizationProfile tried)
    {
        var kept = stored.Copy();
        kept.TenantId ??= tried.TenantId;
        kept.ClientId ??= tried.ClientId;
        kept.Authority ??= tried.Authority;
        if (kept.TenantId != stored.TenantId || kept.ClientId != stored.ClientId || kept.Authority != stored.Authority)
        {
            _store.SaveOrganization(kept);
            _sink.Log(InboxLogLevel.Verbose, $"'{stored.Name}': the tenant, app id and authority of this attempt were kept for the next Connect-InboxImpersonation.");
        }
    }

    /// <summary>A copy of the profile with what this connect named (tenant, app, authority, account) taking precedence.</summary>
    /// <exception cref="InboxException">TenantIdDisagreesWithAuthority: -TenantId names another tenant than the remembered -Authority.</exception>
    private static OrganizationProfile WithRequestValues(OrganizationProfile stored, SignInRequest request)
    {
        RequireTenantMatchesAuthority(stored, request);
        var profile = stored.Copy();
        profile.TenantId = Pick(request.TenantId, stored.TenantId);
        profile.ClientId = Pick(request.ClientId, stored.ClientId);
        profile.Authority = request.Authority ?? stored.Authority;
        profile.ServiceAccount = Pick(request.ServiceAccount, stored.ServiceAccount);
        return profile;
    }

    // A remembered authority URL that names its tenant (https://login.example/<tenant>/) is used as it is: a -TenantId
    // for another tenant would be ignored without a word, so it is an error instead.
    private static void RequireTenantMatchesAuthority(OrganizationProfile stored, SignInRequest request)
    {
        if (request.Authority is not null || string.IsNullOrWhiteSpace(request.TenantId) || stored.Authority is not { } remembered)
        {
            return;
        }

        var segment = remembered.AbsolutePath.Trim('/').Split('/')[0];
        var tenant = request.TenantId!.Trim();
        if (segment.Length == 0 || string.Equals(Uri.UnescapeDataString(segment), tenant, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        throw new InboxException("TenantIdDisagreesWithAuthority", InboxErrorKind.InvalidArgument,
            $"-TenantId '{tenant}' does not match the authority '{remembered}' remembered for '{stored.Name}', which names the tenant '{Uri.UnescapeDataString(segment)}'; InboxPS would have signed in to that tenant instead.",
            $"Give -Authority for tenant '{tenant}' together with -TenantId, or leave -TenantId out to keep signing in to '{Uri.UnescapeDataString(segment)}'.",
            stored.Name);
    }

    private static string? Pick(string? given, string? stored) => string.IsNullOrWhiteSpace(given) ? stored : given!.Trim();

    private void WarnIfUnencrypted(TokenCacheFile cacheFile)
    {
        if (!OwnerOnlyFile.IsEncrypted)
        {
            _sink.Log(InboxLogLevel.Warning,
                $"The service account's token cache is saved unencrypted at '{cacheFile.Path}', readable only by your account (mode 0600); " +
                "this platform offers InboxPS no encryption for it. Anyone who can act as your account can use the sign-in.");
        }
    }
}
