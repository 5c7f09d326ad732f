using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Simulator;

/// <summary>
/// How long a call keeps the server busy: a base per call, plus a cost per item it returns or fetches and per kilobyte it
/// writes, so batch and page sizes matter as they do on a real server. Spent inside the caller's slots (front end and
/// mailbox), before the answer is sent, and counted from when the call's work began: the simulator's own time to build
/// the answer is part of the cost, not added to it, so a call takes what the model says (more only when building it took
/// longer), and the bench's limits, computed from the model, are ones a client can reach. All zero by default: the tests
/// stay fast; the bench sets it.
/// </summary>
internal sealed class ServiceTimeModel
{
    private long _perCallTicks;
    private long _perItemTicks;
    private long _perKilobyteTicks;

    public ServiceTimeModel(SimulatorOptions options)
    {
        Configure(options.CallCost, options.ItemCost, options.KilobyteCost);
    }

    public TimeSpan PerCall => TimeSpan.FromTicks(Interlocked.Read(ref _perCallTicks));

    public TimeSpan PerItem => TimeSpan.FromTicks(Interlocked.Read(ref _perItemTicks));

    public TimeSpan PerKilobyte => TimeSpan.FromTicks(Interlocked.Read(ref _perKilobyteTicks));

    public void Configure(TimeSpan? perCall, TimeSpan? perItem, TimeSpan? perKilobyte)
    {
        if (perCall < TimeSpan.Zero || perItem < TimeSpan.Zero || perKilobyte < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(perCall), "Service times cannot be negative.");
        }

        Interlocked.Exchange(ref _perCallTicks, (perCall ?? PerCall).Ticks);
        Interlocked.Exchange(ref _perItemTicks, (perItem ?? PerItem).Ticks);
        Interlocked.Exchange(ref _perKilobyteTicks, (perKilobyte ?? PerKilobyte).Ticks);
    }

    /// <summary>Waits out the rest of <paramref name="work"/> for a call whose work began at <paramref name="began"/>
    /// (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): never less, as the bench's limit assumes every bit of it,
    /// and not much more, as a client holding as many calls as the front end takes loses any lateness on every call.</summary>
    public static Task SpendAsync(TimeSpan work, long began, CancellationToken cancellationToken) =>
        ServiceClock.WaitUntilAsync(DueAt(work, began), cancellationToken);

    /// <summary>
    /// When the server is done with a call whose work began at <paramref name="began"/> and costs <paramref name="work"/>:
    /// then, or now if building its answer took longer (<see cref="System.Diagnostics.Stopwatch"/> timestamps).
    /// </summary>
    public static long EndOf(TimeSpan work, long began) => Math.Max(DueAt(work, began), System.Diagnostics.Stopwatch.GetTimestamp());

    // When a call's service time has passed (a Stopwatch timestamp).
    private static long DueAt(TimeSpan work, long began) => began + (long)(work.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>The time one call that carried <paramref name="items"/> items in <paramref name="bytes"/> bytes costs.</summary>
    public TimeSpan Cost(int items, long bytes) =>
        TimeSpan.FromTicks(Interlocked.Read(ref _perCallTicks) + items * Interlocked.Read(ref _perItemTicks) + bytes * Interlocked.Read(ref _perKilobyteTicks) / 1024);
}
