using System;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// Where InboxPS keeps what it knows between runs. SQLite is the embedded default; the sync engine and cmdlets only
/// see this interface so the shared store (PostgreSQL) serves as well. Implementations are safe to call from many threads.
/// </summary>
public interface IInboxStore : IOrganizationCatalog, ISyncStore, IMailboxLeases, ISyncHistory, IDisposable
{
    /// <summary>Where the store lives, for messages an admin can act on.</summary>
    string Location { get; }

    /// <summary>
    /// Drops what only the organization's previous protocol understands (folders with their sync states, the folder
    /// hierarchy states, skipped items under that protocol's ids) and keeps the roster and the items: they wait, under
    /// their old ids, for the next run to re-baseline them (<see cref="ISyncStore.ApplyItemPage"/> matches them,
    /// <see cref="ISyncStore.FinishRebaseline"/> removes the rest); active users show <see cref="RosterStatus.Rebaselining"/>
    /// until then. For a switch between EWS and Microsoft Graph.
    /// </summary>
    void ForgetProtocolState(string organization);
}
