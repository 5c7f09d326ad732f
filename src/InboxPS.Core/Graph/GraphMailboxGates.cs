using System;
using System.Collections.Generic;

namespace InboxPS.Core.Graph;

/// <summary>
/// One <see cref="GraphMailboxGate"/> per mailbox while it is needed: a request leases its mailbox's gate for the whole
/// call (retries included), and the gate is forgotten when its last lease ends with no Retry-After pending. A gate
/// still holding off is kept, so the back-off outlives its requests, and swept once it ran out. A run over 100,000
/// mailboxes then keeps gates for the mailboxes in flight, not for every one it ever synced.
/// </summary>
internal sealed class GraphMailboxGates
{
    private const int FirstSweepAt = 64;

    // One lock for lookup, counting and removal: a gate is never removed while a request is between finding it and
    // counting itself in, so two requests for one mailbox always share a gate. Held for a dictionary operation only.
    private readonly Dictionary<string, GraphMailboxGate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _limit;
    private int _sweepAt = FirstSweepAt;

    public GraphMailboxGates(int limit) => _limit = limit;

    /// <summary>Gates kept now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    /// <summary>The mailbox's gate, leased until <see cref="Release"/>.</summary>
    public GraphMailboxGate Lease(string mailbox)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(mailbox, out var gate))
            {
                if (_gates.Count >= _sweepAt)
                {
                    SweepIdle();
                }

                gate = new GraphMailboxGate(_limit, mailbox);
                _gates.Add(mailbox, gate);
            }

            gate.Leases++;
            return gate;
        }
    }

    public void Release(GraphMailboxGate gate)
    {
        lock (_gates)
        {
            if (--gate.Leases == 0 && !gate.IsHoldingOff)
            {
                _gates.Remove(gate.Mailbox);
            }
        }
    }

    // Gates kept only for a back-off that has run out since. Sweeping when the count doubles keeps it amortized O(1).
    private void SweepIdle()
    {
        var idle = new List<string>();
        foreach (var pair in _gates)
        {
            if (pair.Value.Leases == 0 && !pair.Value.IsHoldingOff)
            {
                idle.Add(pair.Key);
            }
        }

        foreach (var mailbox in idle)
        {
            _gates.Remove(mailbox);
        }

        _sweepAt = Math.Max(FirstSweepAt, _gates.Count * 2);
    }
}
