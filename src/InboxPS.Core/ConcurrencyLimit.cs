using System;

namespace InboxPS.Core;

/// <summary>What the server made of one request, as far as its front end's capacity goes.</summary>
internal enum RequestVerdict
{
    /// <summary>Answered (any status but 503): the front end had room for it.</summary>
    Served,

    /// <summary>HTTP 503: the front end was full.</summary>
    Refused,

    /// <summary>No answer (cancelled, connection failed) or one about a single mailbox (HTTP 429): says nothing of the
    /// front end.</summary>
    Unknown,
}

/// <summary>
/// How many requests may be in flight to one server, found from its answers as TCP finds a path's capacity, with the
/// memory CUBIC adds: slow start from a few (one more per request served while the limit was used, up to a quarter
/// above the most requests the server has been seen to take at once), then a 503 cuts the limit below the level that
/// met it (to nine tenths, at least one less) and that level is remembered. Below it the limit climbs back one per
/// round (as many requests as the limit); at one under it, it waits some rounds before it probes one above, and every
/// probe the server refuses doubles that wait (up to <see cref="MaxProbeRounds"/>), so a steady front end sees a 503
/// only every few hundred requests. A whole round served at or above the remembered level means the server has grown:
/// the memory is dropped and slow start finds the new capacity. Only a request sent after the last cut can cut or grow
/// it (the others met the congestion already answered), though each of them refused lowers the remembered level by one
/// (after a slow-start overshoot they come back together). Not thread-safe (see <see cref="ConcurrencyGate"/>); no
/// clock: deterministic, so its tests replay a server in virtual time.
/// </summary>
internal sealed class ConcurrencyLimit
{
    /// <summary>Rounds at one under the remembered level before the first probe above it.</summary>
    public const int InitialProbeRounds = 8;

    /// <summary>The longest wait between probes: a server that grows back (after a storm) is found within it.</summary>
    public const int MaxProbeRounds = 16;

    private const double Backoff = 0.9;

    private readonly int _ceiling;
    private int _remembered = int.MaxValue;
    private int _probeRounds = InitialProbeRounds;
    private int _served;
    private bool _slowStart = true;

    // Requests are numbered as they enter; the ticket is the number and the level it was sent at (LevelBits).
    private const int LevelBits = 16;
    private long _sent;
    private int _confirmed;
    private long _lastCut;
    private long _cutBefore;
    private long _lastFull;

    public ConcurrencyLimit(int ceiling, int initial)
    {
        if (ceiling < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ceiling), ceiling, "At least one request at a time.");
        }

        _ceiling = ceiling;
        Limit = Math.Max(1, Math.Min(initial, ceiling));
    }

    public int Limit { get; private set; }

    public int InFlight { get; private set; }

    /// <summary>Counts one more request in flight when the limit allows it.</summary>
    /// <param name="ticket">Given back to <see cref="Exit"/>: when the request was sent.</param>
    public bool TryEnter(out long ticket)
    {
        if (InFlight >= Limit)
        {
            // Demand beyond the limit: the limit is in use.
            _lastFull = _sent;
            ticket = 0;
            return false;
        }

        InFlight++;
        ticket = (++_sent << LevelBits) | (long)Math.Min(InFlight, (1 << LevelBits) - 1);
        if (InFlight == Limit)
        {
            _lastFull = _sent;
        }

        return true;
    }

    /// <summary>A request entered with <paramref name="ticket"/> is done; its verdict moves the limit.</summary>
    public void Exit(long ticket, RequestVerdict verdict)
    {
        // In flight when it ended, itself included: the level it met.
        var level = InFlight;
        InFlight--;
        var sent = ticket >> LevelBits;
        if (verdict == RequestVerdict.Served)
        {
            // The server took as many at once as were in flight when this one was sent.
            _confirmed = Math.Max(_confirmed, (int)(ticket & ((1 << LevelBits) - 1)));
        }

        // Only a request sent after the last cut tells something about the limit the cut set: the others met (or
        // passed) the congestion already answered. But each of those refused too means one slot fewer than the level
        // the cut assumed (after an overshoot many come back together, the level counted them all as taken).
        if (sent <= _lastCut)
        {
            if (verdict == RequestVerdict.Refused && sent > _cutBefore && _remembered > 1)
            {
                _remembered--;
                Limit = Math.Min(Limit, Below(_remembered));
            }

            return;
        }

        if (verdict == RequestVerdict.Refused)
        {
            Cut(Math.Min(level, Limit));
        }
        else if (verdict == RequestVerdict.Served && _lastFull >= sent)
        {
            // Only a limit in use since the request was sent says anything about a larger one: a run with fewer
            // requests than the limit must not grow it for later.
            Grow();
        }
    }

    private void Cut(int level)
    {
        // A refused probe, or a 503 near the level that met the last one (a busy machine blurs the count by a request
        // or two), means the server is where it was: probe less often. A 503 well below it means the server shrank:
        // start probing afresh at the new level.
        var shrank = _remembered != int.MaxValue && level < _remembered * Backoff;
        _probeRounds = _remembered != int.MaxValue && !shrank ? Math.Min(MaxProbeRounds, _probeRounds * 2) : InitialProbeRounds;
        _remembered = level;
        Limit = Below(level);
        _slowStart = false;
        _served = 0;
        _cutBefore = _lastCut;
        _lastCut = _sent;
    }

    // Nine tenths of a level the server refused, and at least one less.
    private static int Below(int level) => Math.Max(1, Math.Min(level - 1, (int)(level * Backoff)));

    private void Grow()
    {
        _served++;
        if (_slowStart)
        {
            // Doubling per round, but never more than a quarter (at least 2) above what the server has taken: a busy
            // client handles answers in bunches, and would otherwise double again before the first 503 reaches it.
            if (Limit < _confirmed + Math.Max(2, _confirmed / 4))
            {
                Step();
            }
        }
        else if (Limit < _remembered - 1)
        {
            // Back towards the last level the server took, one per round.
            if (_served >= Limit)
            {
                Step();
            }
        }
        else if (Limit == _remembered - 1)
        {
            // The last good level: stay a while before probing one above.
            if (_served >= Limit * _probeRounds)
            {
                Step();
            }
        }
        else if (_served >= Limit)
        {
            // A whole round at or above the level that met the last 503: the server has room now.
            _remembered = int.MaxValue;
            _probeRounds = InitialProbeRounds;
            _slowStart = true;
            Step();
        }
    }

    private void Step()
    {
        Limit = Math.Min(_ceiling, Limit + 1);
        _served = 0;
    }
}
