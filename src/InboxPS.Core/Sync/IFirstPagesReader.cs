using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when the first pages of several folders cost fewer calls read
/// together than one by one (EWS: a SyncFolderItems per folder, then one GetItem for the new items of all of them instead
/// of one per folder). The engine uses it for the folders it syncs from the start (activation, a new or reset folder).
/// A session without it has every page read by <see cref="IMailboxSession.SyncItemsAsync"/> alone.
/// </summary>
public interface IFirstPagesReader
{
    /// <summary>
    /// The first page of each folder, synced from no state, in the order given: the page
    /// <see cref="IMailboxSession.SyncItemsAsync"/> would answer for that folder with a null state. A folder the server
    /// refuses alone (gone since it was chosen) is null in the answer: the engine syncs it by itself, which reports why.
    /// Any other failure fails the call.
    /// </summary>
    Task<IReadOnlyList<ItemPage?>> SyncFirstPagesAsync(IReadOnlyList<string> folderIds, bool includeMime, CancellationToken cancellationToken);
}
