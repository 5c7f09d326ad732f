using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when it can read named items of a folder again: the engine uses it
/// to retry the items an earlier run skipped. A session without it keeps its skipped items listed (and counted) until a
/// folder resync brings them.
/// </summary>
public interface IItemReader
{
    /// <summary>
    /// Reads <paramref name="itemIds"/> of a folder. The page's upserts are the items read, its deletes the ids the
    /// server no longer has, its <see cref="ItemPage.Skipped"/> the ids still failing; its state is not used.
    /// </summary>
    Task<ItemPage> ReadItemsAsync(string folderId, IReadOnlyList<string> itemIds, bool includeMime, CancellationToken cancellationToken);
}
