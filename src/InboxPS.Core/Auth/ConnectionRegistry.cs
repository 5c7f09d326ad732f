using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Auth;

/// <summary>
/// The connections made by Connect-InboxImpersonation for one user of the module (one PowerShell runspace), by
/// organization name (case-insensitive). An instance, handed to whoever needs it, so two runspaces in one process keep
/// separate sign-ins. When none is live, a delegated sign-in whose token cache was persisted by an earlier session is
/// rebuilt silently, so a runbook job can sync with the sign-in its admin made before. Thread-safe.
/// </summary>
public sealed class ConnectionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, InboxConnection> _live = new(StringComparer.OrdinalIgnoreCase);

    // The last sign-in or permission failure each organization met in this session, kept after the connection is gone.
    private readonly ConcurrentDictionary<string, (InboxException Failure, DateTimeOffset On)> _authorizationFailures = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _restoring = new(1, 1);

    /// <param name="transport">How sign-ins reach the network; tests pass one that trusts their simulator only.</param>
    public ConnectionRegistry(SignInTransport? transport = null)
    {
        Transport = transport ?? new SignInTransport();
    }

    public SignInTransport Transport { get; }

    /// <summary>Every live connection of this registry.</summary>
    public IReadOnlyList<InboxConnection> Live => _live.Values.OrderBy(c => c.Organization.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The organization's live connection, without trying to restore one.</summary>
    public InboxConnection? FindLive(string organizationName) =>
        _live.TryGetValue(organizationName.Trim(), out var connection) ? connection : null;

    /// <summary>
    /// The organization's live connection, or one rebuilt without a prompt from a persisted delegated sign-in in
    /// <paramref name="tokenFolder"/> and registered; null when the organization is not connected.
    /// </summary>
    /// <exception cref="InboxException">ReconnectServiceAccount: a saved sign-in exists but no longer works.</exception>
    public async Task<InboxConnection?> RestoreAsync(string organizationName, IOrganizationCatalog organizations, string tokenFolder,
        CancellationToken cancellationToken)
    {
        // One restore at a time, so parallel workers asking for the same organization share one sign-in.
        await _restoring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (FindLive(organizationName) is { } live)
            {
                return live;
            }

            var profile = organizations.GetOrganization(organizationName.Trim());
            if (profile?.EwsUrl is null)
            {
                return null;
            }

            var cacheFile = CacheFileOf(tokenFolder, profile.Name);

            // A later session has no proxy credential (it is never saved): the proxy's own setting, or the Windows user's.
            var http = Transport.StackFor(profile.ProxyFor(null));
            OAuthSignIn? signIn = null;
            try
            {
                signIn = await MsalSignIn.RestoreAsync(profile, cacheFile, Transport, http, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (signIn is null)
                {
                    http.Dispose();
                }
            }

            return signIn is null ? null : Add(InboxConnection.ForOAuth(profile, SignInMethod.Interactive, signIn, Transport, cacheFile.Path, http));
        }
        finally
        {
            _restoring.Release();
        }
    }

    /// <summary>
    /// The organization's connection as Get-InboxConnection shows it, restoring a saved sign-in to find out whether it
    /// still works; null when the organization is not connected.
    /// </summary>
    public async Task<ConnectionInfo?> DescribeAsync(OrganizationProfile organization, IOrganizationCatalog organizations, string tokenFolder,
        CancellationToken cancellationToken)
    {
        try
        {
            var connection = await RestoreAsync(organization.Name, organizations, tokenFolder, cancellationToken).ConfigureAwait(false);
            return WithLastAuthorizationFailure(connection?.Describe());
        }
        catch (InboxException e) when (e.ErrorId == SignInErrors.ReconnectId)
        {
            return WithLastAuthorizationFailure(new ConnectionInfo(organization, e, CacheFileOf(tokenFolder, organization.Name).Path));
        }
    }

    /// <summary>
    /// Remembers <paramref name="failure"/> as the organization's last authorization failure when it is one (a refused
    /// sign-in or token, a denied permission or impersonation); Get-InboxConnection shows it.
    /// </summary>
    public void RecordFailure(string organization, InboxException failure)
    {
        if (failure.Kind is InboxErrorKind.AuthenticationError or InboxErrorKind.PermissionDenied
            || failure.Fault is SyncFault.OrganizationSignIn or SyncFault.AccessDenied)
        {
            _authorizationFailures[organization] = (failure, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>"ErrorId: message", the organization's last authorization failure in this session, and when; null when none.</summary>
    public (string Failure, DateTimeOffset On)? LastAuthorizationFailure(string organization) =>
        _authorizationFailures.TryGetValue(organization, out var last) ? ($"{last.Failure.ErrorId}: {last.Failure.Message}", last.On) : null;

    private ConnectionInfo? WithLastAuthorizationFailure(ConnectionInfo? info)
    {
        if (info is not null && LastAuthorizationFailure(info.Organization) is { } last)
        {
            (info.LastAuthorizationFailure, info.LastAuthorizationFailureOn) = last;
        }

        return info;
    }

    /// <summary>Registers <paramref name="connection"/>, replacing (and disposing) the organization's previous one.</summary>
    public InboxConnection Add(InboxConnection connection)
    {
        InboxConnection? previous = null;
        _live.AddOrUpdate(connection.Organization.Name, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        if (previous is not null && !ReferenceEquals(previous, connection))
        {
            previous.Dispose();
        }

        return connection;
    }

    /// <summary>Forgets the organization's live connection; true when there was one.</summary>
    public bool Remove(string organizationName)
    {
        if (!_live.TryRemove(organizationName.Trim(), out var removed))
        {
            return false;
        }

        removed.Dispose();
        return true;
    }

    /// <summary>
    /// Ends the organization's sign-in everywhere this machine keeps it: the live connection and the persisted token
    /// cache in <paramref name="tokenFolder"/>. True when there was anything to end.
    /// </summary>
    public bool Disconnect(string organizationName, string tokenFolder)
    {
        var cacheFile = CacheFileOf(tokenFolder, organizationName);
        var hadCache = cacheFile.Exists;
        cacheFile.Delete();
        return Remove(organizationName) | hadCache;
    }

    /// <summary>True when the organization has a live connection or a persisted sign-in that can be restored.</summary>
    public bool IsConnected(string organizationName, string tokenFolder) =>
        FindLive(organizationName) is not null || CacheFileOf(tokenFolder, organizationName).Exists;

    /// <summary>Signs every live connection of this registry out of memory (saved token caches stay).</summary>
    public void Dispose()
    {
        foreach (var name in _live.Keys.ToList())
        {
            Remove(name);
        }
    }

    internal static TokenCacheFile CacheFileOf(string tokenFolder, string organizationName) =>
        new(tokenFolder, organizationName.Trim());
}
