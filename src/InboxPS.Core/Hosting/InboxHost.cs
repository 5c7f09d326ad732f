using System;
using InboxPS.Core.Auth;
using InboxPS.Core.Store;

namespace InboxPS.Core.Hosting;

/// <summary>
/// The composition root for one user of the module (the cmdlet layer keeps one per PowerShell runspace): it owns that
/// user's connections and opens a session over the store for each command. Nothing here is static, so two hosts in one
/// process share no sign-in.
/// </summary>
public sealed class InboxHost : IDisposable
{
    /// <param name="transport">How sign-ins reach the network; the defaults when null.</param>
    public InboxHost(SignInTransport? transport = null)
    {
        Connections = new ConnectionRegistry(transport);
    }

    public ConnectionRegistry Connections { get; }

    /// <summary>A session over the store at <paramref name="storePath"/> (the default location when null), closed with the session.</summary>
    /// <exception cref="StoreException">The store cannot be opened.</exception>
    public InboxSession OpenSession(string? storePath = null) => new(SqliteInboxStore.Open(storePath), Connections, ownsStore: true);

    /// <summary>Drops the live connections; saved delegated sign-ins stay for the next session.</summary>
    public void Dispose() => Connections.Dispose();
}
