using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>A page of item changes whose state is known before its items are read (<see cref="IItemChangeLister"/>).</summary>
public sealed class ListedItemPage
{
    private readonly Func<CancellationToken, Task<ItemPage>> _read;

    /// <param name="read">Reads the page's new and changed items and returns the whole page, with this state.</param>
    public ListedItemPage(string state, bool isLast, Func<CancellationToken, Task<ItemPage>> read)
    {
        State = state;
        IsLast = isLast;
        _read = read;
    }

    public string State { get; }

    public bool IsLast { get; }

    public Task<ItemPage> ReadAsync(CancellationToken cancellationToken) => _read(cancellationToken);
}
