using System;
using System.Threading;

namespace InboxPS.Core.Sync;

/// <summary>
/// Keeps a thread-pool thread for every sync worker while runs are going. The stores are synchronous: a worker waiting
/// for SQLite's one writer, or for a PostgreSQL connection, holds its pool thread while it waits. With fewer pool threads
/// than workers the server's answers wait for threads too, and a starved pool adds them only about one each half second:
/// a 1,000-mailbox activation had the server idle in waves every 0.5 s, gone with this reserve. The pool's minimum is
/// raised by the workers of every run in progress (runs in other runspaces share the process) and put back when the
/// last one ends; the pool still creates threads only when work is waiting for one.
/// </summary>
internal static class ThreadPoolReserve
{
    private static readonly object s_gate = new();
    private static int s_reserved;
    private static int s_ownWorkers;
    private static int s_ownCompletionPort;

    /// <summary>Raises the pool's minimum by <paramref name="workers"/> threads until the result is disposed.</summary>
    public static IDisposable Hold(int workers)
    {
        lock (s_gate)
        {
            if (s_reserved == 0)
            {
                ThreadPool.GetMinThreads(out s_ownWorkers, out s_ownCompletionPort);
            }

            s_reserved += workers;
            ThreadPool.SetMinThreads(s_ownWorkers + s_reserved, s_ownCompletionPort);
        }

        return new Reservation(workers);
    }

    private sealed class Reservation : IDisposable
    {
        private int _workers;

        public Reservation(int workers) => _workers = workers;

        public void Dispose()
        {
            var workers = Interlocked.Exchange(ref _workers, 0);
            if (workers == 0)
            {
                return;
            }

            lock (s_gate)
            {
                s_reserved -= workers;
                ThreadPool.SetMinThreads(s_ownWorkers + s_reserved, s_ownCompletionPort);
            }
        }
    }
}
