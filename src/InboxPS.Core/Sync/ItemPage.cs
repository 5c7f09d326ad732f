using System.Collections.Generic;

namespace InboxPS.Core.Sync;

public sealed class ItemPage
{
    public ItemPage(string state, bool isLast, IReadOnlyList<MailItem> upserts, IReadOnlyList<string> deletes,
        IReadOnlyList<ReadFlagChange> readFlags, IReadOnlyList<SkippedItem>? skipped = null)
    {
        Skipped = skipped ?? System.Array.Empty<SkippedItem>();
        State = state;
        IsLast = isLast;
        Upserts = upserts;
        Deletes = deletes;
        ReadFlags = readFlags;
    }

    public string State { get; }
    public bool IsLast { get; }
    public IReadOnlyList<MailItem> Upserts { get; }
    public IReadOnlyList<string> Deletes { get; }
    public IReadOnlyList<ReadFlagChange> ReadFlags { get; }

    /// <summary>Items the page named that could not be read (SyncFault.ItemFailed): the state advances past them anyway.</summary>
    public IReadOnlyList<SkippedItem> Skipped { get; }
}
