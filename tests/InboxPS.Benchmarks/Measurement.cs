using System.Diagnostics;

namespace InboxPS.Benchmarks;

/// <summary>
/// Measures operations in alternating short rounds and reports each one's median: on a shared machine the load
/// changes from second to second, and interleaving lets a benchmark and its baseline see the same load.
/// </summary>
internal static class Measurement
{
    private const int Rounds = 9;
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_round = TimeSpan.FromMilliseconds(400);

    /// <param name="operations">What to measure, side by side; each reads <paramref name="bytesPerOperation"/>.</param>
    /// <param name="allocated">How allocation is counted: per thread where every await completes synchronously,
    /// process-wide where work may hop threads.</param>
    public static async Task<IReadOnlyList<(double MegabytesPerSecond, long AllocatedPerOperation)>> CompareAsync(
        IReadOnlyList<Func<Task>> operations, long bytesPerOperation, Func<long> allocated)
    {
        foreach (var operation in operations)
        {
            await RepeatAsync(operation, s_warmUp);
        }

        var speeds = operations.Select(_ => new List<double>()).ToList();
        var allocations = new long[operations.Count];
        var counts = new long[operations.Count];
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < operations.Count; i++)
            {
                GC.Collect();
                var before = allocated();
                var (count, elapsed) = await RepeatAsync(operations[i], s_round);
                allocations[i] += allocated() - before;
                counts[i] += count;
                speeds[i].Add(bytesPerOperation * count / elapsed.TotalSeconds / (1024 * 1024));
            }
        }

        return speeds.Select((s, i) => (Median(s), allocations[i] / counts[i])).ToList();
    }

    public static long ThreadAllocations() => GC.GetAllocatedBytesForCurrentThread();

    public static long ProcessAllocations() => GC.GetTotalAllocatedBytes(precise: true);

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static async Task<(long Count, TimeSpan Elapsed)> RepeatAsync(Func<Task> operation, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < duration)
        {
            // Batches of 8 keep the clock out of the measured loop.
            for (var i = 0; i < 8; i++)
            {
                await operation();
            }

            count += 8;
        }

        return (count, clock.Elapsed);
    }
}
