using System.Collections;
using System.Collections.Generic;

namespace InboxPS.Core.Ews;

/// <summary>
/// What one GetItem batch returned: the items found, in request order, plus the ids that could not be read. Sync must
/// tolerate a delete racing the read, so a missing item is reported here instead of failing the batch.
/// </summary>
public sealed class EwsItemBatch : IReadOnlyList<EwsItem>
{
    private readonly IReadOnlyList<EwsItem> _items;

    public EwsItemBatch(IReadOnlyList<EwsItem> items, IReadOnlyList<string> missingItemIds, IReadOnlyList<EwsItemFailure> failedItems)
    {
        _items = items;
        MissingItemIds = missingItemIds;
        FailedItems = failedItems;
    }

    /// <summary>Ids the server answered ErrorItemNotFound for: deleted or moved since the sync page named them.</summary>
    public IReadOnlyList<string> MissingItemIds { get; }

    /// <summary>Ids the server could not read for a reason of that item alone (corrupt, unconvertible MIME...).</summary>
    public IReadOnlyList<EwsItemFailure> FailedItems { get; }

    public int Count => _items.Count;

    public EwsItem this[int index] => _items[index];

    public IEnumerator<EwsItem> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
