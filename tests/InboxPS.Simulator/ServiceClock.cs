using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Simulator;

/// <summary>
/// Ends waits at a <see cref="Stopwatch"/> timestamp, never before it and as soon after it as the kernel wakes a thread:
/// every call's service time ends here. Task.Delay's timer counts whole milliseconds (a wait can end up to one early
/// or late), and waiting out the rest in thread-pool turns kept the simulator's own threads busy on the two cores it
/// shares with the client. One thread waits for the earliest end: in milliseconds while it is far, then, for the last
/// ones, in a sleep the kernel ends on time (clock_nanosleep on Linux; elsewhere the thread yields until it is time).
/// A wait ends on that thread, so what the caller does next (writing its answer) runs there until its first wait: the
/// answer leaves on time, not when a busy thread pool gets round to it.
/// </summary>
internal static class ServiceClock
{
    // Closer than this, the thread stops waiting in milliseconds (which may overshoot by one) and sleeps precisely.
    private static readonly long s_preciseSpan = Stopwatch.Frequency * 3 / 1000;

    private static readonly object s_lock = new();
    private static readonly PriorityQueue<TaskCompletionSource, long> s_waits = new();
    private static Thread? s_thread;

    // Cleared if this Linux's C library cannot be called (the thread then yields for the last milliseconds).
    private static bool s_nanosleep = OperatingSystem.IsLinux();

    /// <summary>A task that completes once <see cref="Stopwatch.GetTimestamp"/> has reached <paramref name="due"/>.</summary>
    public static Task WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        if (Stopwatch.GetTimestamp() >= due)
        {
            return Task.CompletedTask;
        }

        // Synchronous continuations on purpose (see the class).
        var wait = new TaskCompletionSource();
        lock (s_lock)
        {
            var behindHead = s_waits.TryPeek(out _, out var head) && head <= due;
            s_waits.Enqueue(wait, due);
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "Simulator service clock" };
                s_thread.Start();
            }
            else if (!behindHead)
            {
                Monitor.Pulse(s_lock);
            }
        }

        // A cancelled wait stays queued until its end, and ends nothing then.
        return wait.Task.WaitAsync(cancellationToken);
    }

    private static void Run()
    {
        var ended = new List<TaskCompletionSource>();
        while (true)
        {
            long left;
            lock (s_lock)
            {
                while (s_waits.Count == 0)
                {
                    Monitor.Wait(s_lock);
                }

                var now = Stopwatch.GetTimestamp();
                while (s_waits.TryPeek(out var wait, out var due) && due <= now)
                {
                    ended.Add(wait);
                    s_waits.Dequeue();
                }

                left = s_waits.TryPeek(out _, out var next) ? next - now : 0;
                if (ended.Count == 0 && left > s_preciseSpan)
                {
                    // Far off: a millisecond wait that a new, earlier end interrupts (Pulse).
                    Monitor.Wait(s_lock, (int)((left - s_preciseSpan) * 1000 / Stopwatch.Frequency) + 1);
                    continue;
                }
            }

            if (ended.Count == 0)
            {
                // Not interrupted: a wait started now that ends sooner than this one (a service time under 3 ms) ends
                // late by up to the rest of this sleep. The bench's calls cost 20 ms and more.
                SleepPrecisely(left);
                continue;
            }

            foreach (var wait in ended)
            {
                wait.TrySetResult();
            }

            ended.Clear();
        }
    }

    private static void SleepPrecisely(long ticks)
    {
        if (s_nanosleep)
        {
            var nanoseconds = ticks * 1_000_000_000 / Stopwatch.Frequency;
            var span = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
            try
            {
                _ = clock_nanosleep(ClockMonotonic, 0, ref span, IntPtr.Zero);
                return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_nanosleep = false;
            }
        }

        Thread.Yield();
    }

    private const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_nanosleep(int clockId, int flags, ref TimeSpec request, IntPtr remaining);
}
