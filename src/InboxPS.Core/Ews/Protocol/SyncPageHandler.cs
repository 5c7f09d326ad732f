using System.Collections.Generic;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// The shape SyncFolderHierarchy and SyncFolderItems answers share: a sync state, whether this is the last page
/// (IncludesLastFolderInRange / IncludesLastItemInRange), and the changes, which the operation reads. EWS sends the
/// first two before the changes; <see cref="HeadRead"/> hears of them as soon as both are read.
/// </summary>
internal abstract class SyncPageHandler<TChange, TPage> : SingleMessageHandler<TPage>
{
    private string? _syncState;
    private bool? _includesLast;
    private bool _headReported;
    private bool _isError;

    protected List<TChange> Changes { get; } = new();

    public override void BeginMessage(ResponseClass responseClass) => _isError = responseClass == ResponseClass.Error;

    public override async Task ReadElementAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        if (reader.Is(names.SyncState))
        {
            _syncState = await reader.ReadStringAsync().ConfigureAwait(false);
            ReportHead();
        }
        else if (reader.Is(IncludesLastElement(names)))
        {
            _includesLast = await reader.ReadBoolAsync().ConfigureAwait(false);
            ReportHead();
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

    /// <summary>The page's state and whether it is the last are read, its changes not yet.</summary>
    protected virtual void HeadRead(string syncState, bool includesLast)
    {
    }

    // Once, and never from an error message (those may carry an empty state).
    private void ReportHead()
    {
        if (!_headReported && !_isError && !string.IsNullOrEmpty(_syncState) && _includesLast is { } includesLast)
        {
            _headReported = true;
            HeadRead(_syncState!, includesLast);
        }
    }

    protected abstract string IncludesLastElement(EwsNames names);

    /// <summary>Reads the Changes element (the reader is on it) into <see cref="Changes"/>.</summary>
    protected abstract Task ReadChangesAsync(EwsXmlReader reader);

    protected abstract TPage CreatePage(string syncState, bool includesLast, IReadOnlyList<TChange> changes);
}
