using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>
/// Mailboxes waiting for their due time, earliest first. Thread-safe. A mailbox parked "after the input" is only handed
/// out once the input is complete, however early it is due.
/// </summary>
internal sealed class ParkedMailboxes
{
    private readonly SortedSet<ParkedMailbox> _byDue = new(ParkedMailbox.ByDue);
    private long _sequence;

    public int Count
    {
        get
        {
            lock (_byDue)
            {
                return _byDue.Count;
            }
        }
    }

    public void Add(MailboxTarget target, string errorId, TimeSpan due, bool afterInput, int parks)
    {
        lock (_byDue)
        {
            _byDue.Add(new ParkedMailbox(target, errorId, due, afterInput, parks, _sequence++));
        }
    }

    /// <summary>The earliest mailbox that may be visited now, if any.</summary>
    public bool TryTakeDue(TimeSpan now, bool inputComplete, out ParkedMailbox parked)
    {
        lock (_byDue)
        {
            foreach (var candidate in _byDue)
            {
                if (candidate.Due > now)
                {
                    break;
                }

                if (!candidate.AfterInput || inputComplete)
                {
                    _byDue.Remove(candidate);
                    parked = candidate;
                    return true;
                }
            }
        }

        parked = null!;
        return false;
    }

    /// <summary>When the next mailbox becomes due (for a worker deciding how long it may wait for input), or null.</summary>
    public TimeSpan? NextDue(bool inputComplete)
    {
        lock (_byDue)
        {
            foreach (var candidate in _byDue)
            {
                if (!candidate.AfterInput || inputComplete)
                {
                    return candidate.Due;
                }
            }
        }

        return null;
    }
}
