using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when one call lists a page of item changes and others read its
/// items (EWS: SyncFolderItems, then GetItem): the next page's state comes with the list, so the engine lists the next
/// page while this one's items are still being read and stored. A session without it is asked for whole pages
/// (<see cref="IMailboxSession.SyncItemsAsync"/>), the next one while the last is stored.
/// </summary>
public interface IItemChangeLister
{
    /// <summary>One page of a folder's item changes, listed; <see cref="ListedItemPage.ReadAsync"/> reads its items.</summary>
    /// <param name="stateRead">Where the protocol sends the page's state before its changes (EWS), told that state and
    /// whether the page is the last as soon as they are read, so the next page can be asked for before this one's
    /// changes are; told again if the call is retried. A session may never call it.</param>
    Task<ListedItemPage> ListItemChangesAsync(string folderId, string? state, bool includeMime, Action<string, bool>? stateRead,
        CancellationToken cancellationToken);
}
