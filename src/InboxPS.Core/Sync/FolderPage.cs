using System.Collections.Generic;

namespace InboxPS.Core.Sync;

public sealed class FolderPage
{
    public FolderPage(string state, bool isLast, IReadOnlyList<FolderChange> changes)
    {
        State = state;
        IsLast = isLast;
        Changes = changes;
    }

    /// <summary>The sync state to store with this page: the next call continues after it.</summary>
    public string State { get; }
    public bool IsLast { get; }
    public IReadOnlyList<FolderChange> Changes { get; }
}
