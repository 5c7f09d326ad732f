using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when the first pages of a run for several folders cost fewer calls
/// read together than one by one (EWS: a SyncFolderItems per folder, then one GetItem for the new and changed items of
/// all of them instead of one per folder). The engine uses it whenever it syncs more than one folder of a mailbox. A
/// session without it has every page read by <see cref="IMailboxSession.SyncItemsAsync"/> alone.
/// </summary>
public interface IFirstPagesReader
{
    /// <summary>
    /// One page of each folder from the state given (null: from the start), in the order given: the page
    /// <see cref="IMailboxSession.SyncItemsAsync"/> would answer for that folder and state. A folder the server refuses
    /// alone (its state no longer valid, the folder gone) is null in the answer: the engine syncs it by itself, which
    /// handles why. Any other failure fails the call.
    /// </summary>
    Task<IReadOnlyList<ItemPage?>> SyncFirstPagesAsync(IReadOnlyList<FolderStart> folders, bool includeMime, CancellationToken cancellationToken);
}

/// <summary>A folder and the state its sync goes on from (null: from the start).</summary>
public sealed class FolderStart
{
    public FolderStart(string folderId, string? state)
    {
        FolderId = folderId;
        State = state;
    }

    public string FolderId { get; }

    public string? State { get; }
}
