using System.Collections.Generic;

namespace InboxPS.Core.Ews;

/// <summary>One SyncFolderItems answer. Persist <see cref="SyncState"/> with the changes, then ask again until
/// <see cref="IncludesLastItemInRange"/>.</summary>
public sealed class ItemChangesPage
{
    public ItemChangesPage(string syncState, bool includesLastItemInRange, IReadOnlyList<ItemChange> changes)
    {
        SyncState = syncState;
        IncludesLastItemInRange = includesLastItemInRange;
        Changes = changes;
    }

    public string SyncState { get; }
    public bool IncludesLastItemInRange { get; }
    public IReadOnlyList<ItemChange> Changes { get; }
}
