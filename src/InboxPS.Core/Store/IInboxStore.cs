using System;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// Where InboxPS keeps what it knows between runs. SQLite is the embedded default; the sync engine and cmdlets only
/// see this interface so the shared store (PostgreSQL) serves as well. Implementations are safe to call from many threads.
/// </summary>
public interface IInboxStore : IOrganizationCatalog, ISyncStore, IMailboxLeases, IDisposable
{
    /// <summary>Where the store lives, for messages an admin can act on.</summary>
    string Location { get; }
}
