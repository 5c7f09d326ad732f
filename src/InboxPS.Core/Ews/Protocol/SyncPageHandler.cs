using System.Collections.Generic;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// The shape SyncFolderHierarchy and SyncFolderItems answers share: a sync state, whether this is the last page
/// (IncludesLastFolderInRange / IncludesLastItemInRange), and the changes, which the operation reads.
/// </summary>
internal abstract class SyncPageHandler<TChange, TPage> : SingleMessageHandler<TPage>
{
    private string? _syncState;
    private bool? _includesLast;

    protected List<TChange> Changes { get; } = new();

    public override async Task ReadElementAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        if (reader.Is(names.SyncState))
        {
            _syncState = await reader.ReadStringAsync().ConfigureAwait(false);
        }
        else if (reader.Is(IncludesLastElement(names)))
        {
            _includesLast = await reader.ReadBoolAsync().ConfigureAwait(false);
        }
        else if (reader.Is(names.Changes))
        {
            await ReadChangesAsync(reader).ConfigureAwait(false);
        }
        else
        {
            await reader.SkipAsync().ConfigureAwait(false);
        }
    }

    protected override TPage BuildResult(EwsXmlReader reader)
    {
        var operation = reader.Context.Operation;
        return CreatePage(
            !string.IsNullOrEmpty(_syncState) ? _syncState! : throw reader.Invalid($"{operation} returned no SyncState"),
            _includesLast ?? throw reader.Invalid($"{operation} did not say whether it {IncludesLastElement(reader.Names)}"),
            Changes);
    }

    protected abstract string IncludesLastElement(EwsNames names);

    /// <summary>Reads the Changes element (the reader is on it) into <see cref="Changes"/>.</summary>
    protected abstract Task ReadChangesAsync(EwsXmlReader reader);

    protected abstract TPage CreatePage(string syncState, bool includesLast, IReadOnlyList<TChange> changes);
}
