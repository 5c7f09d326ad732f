using System.Collections.Generic;

namespace InboxPS.Core.Ews;

/// <summary>One SyncFolderHierarchy answer. Persist <see cref="SyncState"/> with the changes, then ask again until
/// <see cref="IncludesLastFolderInRange"/>.</summary>
public sealed class FolderChangesPage
{
    public FolderChangesPage(string syncState, bool includesLastFolderInRange, IReadOnlyList<EwsFolderChange> changes)
    {
        SyncState = syncState;
        IncludesLastFolderInRange = includesLastFolderInRange;
        Changes = changes;
    }

    public string SyncState { get; }
    public bool IncludesLastFolderInRange { get; }
    public IReadOnlyList<EwsFolderChange> Changes { get; }
}
