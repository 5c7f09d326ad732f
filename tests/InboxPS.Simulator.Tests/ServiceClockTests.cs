using System.Collections.Concurrent;
using System.Diagnostics;

namespace InboxPS.Simulator.Tests;

public sealed class ServiceClockTests
{
    [Fact]
    public async Task WaitsEndInTheOrderOfTheirEndsNeverBeforeThemWhateverOrderTheyStartedIn()
    {
        // The later waits start first: the clock must wake for an earlier end that arrives while it waits for a later one.
        var now = Stopwatch.GetTimestamp();
        var dues = new[] { 240, 160, 80, 40 }.Select(ms => now + Stopwatch.Frequency * ms / 1000).ToArray();
        var ended = new ConcurrentQueue<(long Due, long At)>();

        await Task.WhenAll(dues.Select(async due =>
        {
            await ServiceClock.WaitUntilAsync(due, CancellationToken.None);
            ended.Enqueue((due, Stopwatch.GetTimestamp()));
        }));

        Assert.Equal(dues.OrderBy(d => d), ended.Select(e => e.Due));
        Assert.All(ended, e => Assert.True(e.At >= e.Due, "a wait ended before its time"));
        // The 40 ms wait did not sleep through to the 240 ms one (120 ms of slack for a loaded machine).
        Assert.True(ended.First().At < dues[1], "the earliest wait ended only when a later one was due");
    }

    [Fact]
    public async Task ACancelledWaitEndsCancelledAndTheOthersStillEndOnTime()
    {
        var now = Stopwatch.GetTimestamp();
        using var cancellation = new CancellationTokenSource();
        var cancelled = ServiceClock.WaitUntilAsync(now + Stopwatch.Frequency / 20, cancellation.Token);
        var after = ServiceClock.WaitUntilAsync(now + Stopwatch.Frequency / 10, CancellationToken.None);

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await after;
        Assert.True(Stopwatch.GetTimestamp() >= now + Stopwatch.Frequency / 10);
    }

    [Fact]
    public void AWaitWhoseEndHasPassedIsAlreadyOver()
    {
        Assert.True(ServiceClock.WaitUntilAsync(Stopwatch.GetTimestamp() - 1, CancellationToken.None).IsCompleted);
    }
}
