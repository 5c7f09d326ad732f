using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>What one applied page changed in the store.</summary>
public readonly struct ItemPageOutcome
{
    public ItemPageOutcome(int added, int updated, int deleted, int skipped = 0, IReadOnlyList<string>? toReadWhole = null)
    {
        Skipped = skipped;
        Added = added;
        Updated = updated;
        Deleted = deleted;
        ToReadWhole = toReadWhole ?? Array.Empty<string>();
    }

    public int Added { get; }
    public int Updated { get; }
    public int Deleted { get; }

    /// <summary>Items of the page recorded as skipped (to be read again on a later run).</summary>
    public int Skipped { get; }

    /// <summary>
    /// Partial upserts (<see cref="MailItem.IsPartial"/>) of items not stored yet: nothing to update, so the engine reads
    /// them whole. The store remembered them as skipped (<see cref="SkippedItem.PartialChangeOfUnstoredItem"/>) in the
    /// page's transaction, so a crash before that read loses nothing: the next run reads them as skipped items.
    /// </summary>
    public IReadOnlyList<string> ToReadWhole { get; }
}
