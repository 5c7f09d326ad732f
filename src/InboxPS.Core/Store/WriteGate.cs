using System;
using System.Diagnostics;
using System.Threading;

namespace InboxPS.Core.Store;

/// <summary>
/// One writer at a time, taken in turn with a bound on the wait, and no spinning: a writer that finds the gate held
/// sleeps until it is let go. Monitor.TryEnter spins before it sleeps, which with dozens of sync workers queued on two
/// cores burnt CPU the writer holding the gate needed. Not reentrant.
/// </summary>
internal sealed class WriteGate
{
    private readonly object _lock = new();
    private bool _held;

    /// <returns>False when the gate was not had within <paramref name="timeout"/>.</returns>
    public bool TryEnter(TimeSpan timeout)
    {
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return true;
            }

            var waited = Stopwatch.StartNew();
            while (_held)
            {
                var left = timeout - waited.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_lock, left);
            }

            _held = true;
            return true;
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _held = false;
            Monitor.Pulse(_lock);
        }
    }
}
