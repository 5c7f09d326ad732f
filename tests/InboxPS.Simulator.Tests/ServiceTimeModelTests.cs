using System.Diagnostics;

namespace InboxPS.Simulator.Tests;

public sealed class ServiceTimeModelTests
{
    [Fact]
    public void TimeSpentBuildingTheAnswerCountsTowardsTheCallsServiceTimeNotOnTopOfIt()
    {
        // The work began 100 ms ago (building a large answer, say): a call the model prices at 50 ms waits no more.
        var began = Stopwatch.GetTimestamp() - Stopwatch.Frequency / 10;

        Assert.True(ServiceTimeModel.SpendAsync(TimeSpan.FromMilliseconds(50), began, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task ACallWhoseAnswerWasQuickToBuildWaitsOutTheRestOfItsServiceTime()
    {
        var began = Stopwatch.GetTimestamp();

        var spent = ServiceTimeModel.SpendAsync(TimeSpan.FromMilliseconds(200), began, CancellationToken.None);

        Assert.False(spent.IsCompleted);
        await spent;
        // Never less than the model.
        Assert.True(Stopwatch.GetElapsedTime(began) >= TimeSpan.FromMilliseconds(200));
    }
}
