using System.Diagnostics;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// The front end counts a call from its arrival until its service time has passed, not until this process gets round
/// to the call again: on a machine shared with the client that comes late, and the server would be smaller than its model.
/// </summary>
public sealed class FrontEndTests
{
    [Fact]
    public void ACallWhoseServiceTimeHasPassedNoLongerTakesAPlaceThoughItHasNotLeft()
    {
        var frontEnd = new FrontEnd();
        var done = frontEnd.Enter();
        var working = frontEnd.Enter();
        Assert.Equal((1, 2), (done.Working, working.Working));

        done.ServedAt(Stopwatch.GetTimestamp());
        working.ServedAt(Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60);

        Assert.Equal(2, frontEnd.Enter().Working);
        Assert.Equal(2, frontEnd.Peak);
    }

    [Fact]
    public void ACallKeepsTheServerBusyUntilItsServiceTimePassedNotUntilItLeaves()
    {
        var frontEnd = new FrontEnd();
        var call = frontEnd.Enter();
        call.ServedAt(call.Arrived + Stopwatch.Frequency / 50);
        Thread.Sleep(100);

        Assert.Equal(TimeSpan.FromMilliseconds(20), call.Leave());
        Assert.Equal(TimeSpan.Zero, call.Leave());
    }

    [Fact]
    public void ACallWithNoServiceTimeIsBusyUntilItLeaves()
    {
        // Refusals and faults have no service time: they hold their place for as long as they are handled.
        var frontEnd = new FrontEnd();
        var call = frontEnd.Enter();
        Thread.Sleep(30);

        Assert.Equal(2, frontEnd.Enter().Working);
        Assert.True(call.Leave() >= TimeSpan.FromMilliseconds(30));
        Assert.Equal(2, frontEnd.Enter().Working);
    }
}
