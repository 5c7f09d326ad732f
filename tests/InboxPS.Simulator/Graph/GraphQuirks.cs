using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// Quirks queued with exact counts (per mailbox, or for any mailbox with -1) or drawn at a rate from the seed in arrival
/// order (so a sequential client meets the same quirks every run), the switches for stale-link refusal per mailbox, and
/// Graph-side token expiry epochs.
/// </summary>
internal sealed class GraphQuirks
{
    private const int AnyMailbox = -1;
    private readonly object _gate = new();
    private readonly Random _random;
    private readonly ConcurrentDictionary<GraphQuirk, double> _rates = new();
    private readonly ConcurrentDictionary<(GraphQuirk, int), int> _queued = new();
    private readonly ConcurrentDictionary<int, bool> _staleLinks = new();
    private readonly ConcurrentDictionary<(int Mailbox, int Folder), int> _epochs = new();
    private readonly ConcurrentDictionary<(int Mailbox, int Folder, string Kind), int> _generations = new();
    private int _globalEpoch;

    public GraphQuirks(int seed) => _random = new Random(seed ^ 0x6A1);

    /// <summary>From now on, this fraction (0..1) of the occasions for the quirk meet it (0 switches the rate off).</summary>
    public void SetRate(GraphQuirk quirk, double rate) => _rates[quirk] = rate;

    public void Queue(GraphQuirk quirk, int count, int? mailbox) =>
        _queued.AddOrUpdate((quirk, mailbox ?? AnyMailbox), count, (_, n) => n + count);

    public void Clear()
    {
        _queued.Clear();
        _rates.Clear();
    }

    /// <summary>Takes one queued quirk for the mailbox (its own queue first, then the any-mailbox queue), else draws at the quirk's rate.</summary>
    public bool Take(GraphQuirk quirk, int mailbox) => TakeFrom((quirk, mailbox)) || TakeFrom((quirk, AnyMailbox)) || Draw(quirk);

    private bool Draw(GraphQuirk quirk)
    {
        if (!_rates.TryGetValue(quirk, out var rate) || rate <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            return _random.NextDouble() < rate;
        }
    }

    public void RefuseStaleLinks(int? mailbox, bool refuse) => _staleLinks[mailbox ?? AnyMailbox] = refuse;

    public bool RefusesStaleLinks(int mailbox) =>
        (_staleLinks.TryGetValue(mailbox, out var own) && own) || (_staleLinks.TryGetValue(AnyMailbox, out var any) && any);

    /// <summary>Expires every delta token of the mailbox (folder null) or of one folder, or of the tenant (mailbox null).</summary>
    public void Expire(int? mailbox, int? folder)
    {
        if (mailbox is null)
        {
            Interlocked.Increment(ref _globalEpoch);
            return;
        }

        _epochs.AddOrUpdate((mailbox.Value, folder ?? AnyMailbox), 1, (_, n) => n + 1);
    }

    public int Epoch(int mailbox, int folder) =>
        Volatile.Read(ref _globalEpoch) * 1_000_000
        + (_epochs.TryGetValue((mailbox, AnyMailbox), out var m) ? m : 0) * 1_000
        + (_epochs.TryGetValue((mailbox, folder), out var f) ? f : 0);

    public int NextGeneration(int mailbox, int folder, string kind) =>
        _generations.AddOrUpdate((mailbox, folder, kind), 1, (_, n) => n + 1);

    public int HighestGeneration(int mailbox, int folder, string kind) =>
        _generations.TryGetValue((mailbox, folder, kind), out var n) ? n : 0;

    private bool TakeFrom((GraphQuirk, int) key)
    {
        while (_queued.TryGetValue(key, out var n) && n > 0)
        {
            if (_queued.TryUpdate(key, n - 1, n))
            {
                return true;
            }
        }

        return false;
    }
}
