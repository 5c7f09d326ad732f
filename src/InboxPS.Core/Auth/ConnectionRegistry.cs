using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;

namespace InboxPS.Core.Auth;

/// <summary>
/// The process-wide connections made by Connect-InboxImpersonation in this session, by organization name
/// (case-insensitive). When none is live, a delegated sign-in whose token cache was persisted by an earlier session is
/// rebuilt silently, so a runbook job can sync with the sign-in its admin made before. Thread-safe.
/// </summary>
public static class ConnectionRegistry
{
    private static readonly ConcurrentDictionary<string, InboxConnection> s_live = new(StringComparer.OrdinalIgnoreCase);
    private static readonly SemaphoreSlim s_restoring = new(1, 1);

    /// <summary>Every live connection of this process.</summary>
    public static IReadOnlyList<InboxConnection> Live => s_live.Values.OrderBy(c => c.Organization.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The organization's live connection, without trying to restore one.</summary>
    public static InboxConnection? FindLive(string organizationName) =>
        s_live.TryGetValue(organizationName.Trim(), out var connection) ? connection : null;

    /// <summary>
    /// The organization's live connection, or one restored from a persisted delegated sign-in beside the default
    /// store; null when the organization is not connected.
    /// </summary>
    /// <exception cref="InboxException">ReconnectServiceAccount: a saved sign-in exists but no longer works.</exception>
    public static InboxConnection? Find(string organizationName)
    {
        if (FindLive(organizationName) is { } live)
        {
            return live;
        }

        using var store = SqliteInboxStore.Open();
        return Find(organizationName, store);
    }

    /// <summary>As <see cref="Find(string)"/>, with the store (and, for tests, the transport) to restore from.</summary>
    public static InboxConnection? Find(string organizationName, IInboxStore store, SignInTransport? transport = null) =>
        FindLive(organizationName) ?? RestoreAsync(organizationName, store, transport, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Rebuilds a persisted delegated sign-in without a prompt and registers it; null when there is none.</summary>
    public static async Task<InboxConnection?> RestoreAsync(string organizationName, IInboxStore store, SignInTransport? transport,
        CancellationToken cancellationToken)
    {
        // One restore at a time, so parallel workers asking for the same organization share one sign-in.
        await s_restoring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (FindLive(organizationName) is { } live)
            {
                return live;
            }

            var profile = store.GetOrganization(organizationName.Trim());
            if (profile?.EwsUrl is null)
            {
                return null;
            }

            transport ??= SignInTransport.Default;
            var cacheFile = CacheFileOf(profile.Name, store);
            var signIn = await MsalSignIn.RestoreAsync(profile, cacheFile, transport, cancellationToken).ConfigureAwait(false);
            return signIn is null ? null : Add(InboxConnection.ForOAuth(profile, SignInMethod.Interactive, signIn, transport, cacheFile.Path));
        }
        finally
        {
            s_restoring.Release();
        }
    }

    /// <summary>
    /// The organization's connection as Get-InboxConnection shows it, restoring a saved sign-in to find out whether it
    /// still works; null when the organization is not connected.
    /// </summary>
    public static async Task<ConnectionInfo?> DescribeAsync(OrganizationProfile organization, IInboxStore store, SignInTransport? transport,
        CancellationToken cancellationToken)
    {
        try
        {
            var connection = await RestoreAsync(organization.Name, store, transport, cancellationToken).ConfigureAwait(false);
            return connection?.Describe();
        }
        catch (InboxException e) when (e.ErrorId == SignInErrors.ReconnectId)
        {
            return new ConnectionInfo(organization, e, CacheFileOf(organization.Name, store).Path);
        }
    }

    /// <summary>Registers <paramref name="connection"/>, replacing (and disposing) the organization's previous one.</summary>
    public static InboxConnection Add(InboxConnection connection)
    {
        InboxConnection? previous = null;
        s_live.AddOrUpdate(connection.Organization.Name, connection, (_, old) =>
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
    public static bool Remove(string organizationName)
    {
        if (!s_live.TryRemove(organizationName.Trim(), out var removed))
        {
            return false;
        }

        removed.Dispose();
        return true;
    }

    /// <summary>
    /// Ends the organization's sign-in everywhere this machine keeps it: the live connection and the persisted token
    /// cache. True when there was anything to end.
    /// </summary>
    public static bool Disconnect(string organizationName, IInboxStore store)
    {
        var cacheFile = CacheFileOf(organizationName, store);
        var hadCache = cacheFile.Exists;
        cacheFile.Delete();
        return Remove(organizationName) | hadCache;
    }

    /// <summary>True when the organization has a live connection or a persisted sign-in that can be restored.</summary>
    public static bool IsConnected(string organizationName, IInboxStore store) =>
        FindLive(organizationName) is not null || CacheFileOf(organizationName, store).Exists;

    internal static TokenCacheFile CacheFileOf(string organizationName, IInboxStore store) =>
        new(TokenCacheFile.FolderBeside(store.Location), organizationName.Trim());
}
