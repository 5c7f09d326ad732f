using System;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// One user's connections (the registry) seen through one store: saved sign-ins live in the tokens folder beside the
/// store, and organizations are read from it. What the connection cmdlets and the sync cmdlets ask about sign-ins.
/// </summary>
public sealed class OrganizationConnections
{
    private readonly IInboxStore _store;

    public OrganizationConnections(ConnectionRegistry registry, IInboxStore store)
    {
        Registry = registry;
        _store = store;
        TokenFolder = TokenCacheFile.FolderBeside(store.Location);
    }

    public ConnectionRegistry Registry { get; }

    /// <summary>Where delegated sign-ins are saved: beside the store, so another store has other sign-ins.</summary>
    public string TokenFolder { get; }

    /// <summary>The organization's live connection, or one restored from a saved delegated sign-in; null when not connected.</summary>
    /// <exception cref="InboxException">ReconnectServiceAccount: a saved sign-in exists but no longer works.</exception>
    public Task<InboxConnection?> FindAsync(string organization, CancellationToken cancellationToken) =>
        Registry.RestoreAsync(organization, _store, TokenFolder, cancellationToken);

    /// <summary>As <see cref="FindAsync"/>, for callers that cannot await.</summary>
    public InboxConnection? Find(string organization) => FindAsync(organization, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The connection as Get-InboxConnection shows it; null when the organization is not connected.</summary>
    public Task<ConnectionInfo?> DescribeAsync(OrganizationProfile organization, CancellationToken cancellationToken) =>
        Registry.DescribeAsync(organization, _store, TokenFolder, cancellationToken);

    public bool IsConnected(string organization) => Registry.IsConnected(organization, TokenFolder);

    /// <summary>Ends the sign-in, live and saved; true when there was one.</summary>
    public bool Disconnect(string organization) => Registry.Disconnect(organization, TokenFolder);

    /// <summary>Connect-InboxImpersonation's work (see <see cref="ImpersonationConnector"/>).</summary>
    public Task<InboxConnection> ConnectAsync(string? organization, SignInRequest request, IInboxSink? sink, CancellationToken cancellationToken) =>
        new ImpersonationConnector(_store, Registry, sink).ConnectAsync(organization, request, cancellationToken);

    /// <summary>
    /// The protocol the engine syncs the organization with, over its connection; see <see cref="MailboxProtocols.For"/>
    /// for <paramref name="requireConnection"/> and <paramref name="trace"/>.
    /// </summary>
    public IMailboxProtocol ProtocolFor(OrganizationProfile organization, bool requireConnection, Action<string>? trace = null)
    {
        var connection = Find(organization.Name);
        var handler = connection is null ? null : Registry.Transport.ServiceHandlerFor(connection);
        return MailboxProtocols.For(connection, organization.Name, requireConnection, trace, handler);
    }
}
