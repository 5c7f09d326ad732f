using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace InboxPS.Simulator;

/// <summary>
/// What the server did for successful answers of one kind: how many, the items and bytes they carried, and the service
/// time the model charged them (<c>CallCost</c> × calls + <c>ItemCost</c> × items + <c>KilobyteCost</c> × kilobytes, as it
/// was set when each call was answered). A benchmark builds its limit from these (the chain of one folder's sync pages,
/// the work spread over the budgets) without re-deriving the model.
/// </summary>
public sealed record ServedWork(long Calls, long Items, long Bytes, TimeSpan ServiceTime);

/// <summary>Live <see cref="ServedWork"/> counters by key, lock-free like the recorders that own them.</summary>
internal sealed class ServedWorkTally
{
    private readonly ConcurrentDictionary<string, Counter> _byKey = new(StringComparer.Ordinal);

    public void Add(string key, int items, long bytes, TimeSpan serviceTime)
    {
        var counter = _byKey.GetOrAdd(key, _ => new Counter());
        Interlocked.Increment(ref counter.Calls);
        Interlocked.Add(ref counter.Items, items);
        Interlocked.Add(ref counter.Bytes, bytes);
        Interlocked.Add(ref counter.Ticks, serviceTime.Ticks);
    }

    public void Clear() => _byKey.Clear();

    public IReadOnlyDictionary<string, ServedWork> Snapshot() => _byKey.ToDictionary(
        p => p.Key,
        p => new ServedWork(Interlocked.Read(ref p.Value.Calls), Interlocked.Read(ref p.Value.Items), Interlocked.Read(ref p.Value.Bytes),
            TimeSpan.FromTicks(Interlocked.Read(ref p.Value.Ticks))),
        StringComparer.Ordinal);

    private sealed class Counter
    {
        public long Calls;
        public long Items;
        public long Bytes;
        public long Ticks;
    }
}
