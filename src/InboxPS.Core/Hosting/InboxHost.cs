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

    /// <summary>The store chosen for this host (Set-InboxStore); null follows $env:INBOXPS_STORE at every session.</summary>
    public StoreChoice? Store { get; set; }

    /// <summary>The store the next session opens: <see cref="Store"/>, else what the environment says.</summary>
    /// <exception cref="StoreException">$env:INBOXPS_STORE is not a usable setting.</exception>
    public StoreChoice CurrentStore => Store ?? StoreChoice.FromEnvironment();

    /// <summary>
    /// A session over the SQLite store at <paramref name="storePath"/>, or (when null) over <see cref="CurrentStore"/>;
    /// closed with the session.
    /// </summary>
    /// <exception cref="StoreException">The store cannot be opened.</exception>
    public InboxSession OpenSession(string? storePath = null) =>
        OpenSession(storePath is null ? CurrentStore : StoreChoice.Sqlite(storePath));

    /// <summary>A session over the store <paramref name="store"/> names, closed with the session.</summary>
    /// <exception cref="StoreException">The store cannot be opened.</exception>
    public InboxSession OpenSession(StoreChoice store) => new(store.Open(), Connections, ownsStore: true);

    /// <summary>Drops the live connections; saved delegated sign-ins stay for the next session.</summary>
    public void Dispose() => Connections.Dispose();
}
