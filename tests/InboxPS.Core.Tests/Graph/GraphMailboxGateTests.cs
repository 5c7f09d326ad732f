using InboxPS.Core.Graph;

namespace InboxPS.Core.Tests.Graph;

/// <summary>Graph's per-mailbox limits, kept for all of a mailbox's folders at once (issue 14).</summary>
public sealed class GraphMailboxGateTests
{
    private static readonly Func<TimeSpan, CancellationToken, Task> s_noWait = (_, _) => Task.CompletedTask;
    private static readonly TimeSpan s_held = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task At_most_the_limit_is_in_flight_and_a_slot_frees_on_exit()
    {
        var gate = new GraphMailboxGate(limit: 2);
        await gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None);
        await gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None);

        var third = gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        gate.Exit();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_short_Retry_After_holds_off_the_mailboxs_other_requests_but_not_the_one_that_slept_it_out()
    {
        var gate = new GraphMailboxGate(limit: 4);
        var waits = new List<TimeSpan>();
        var record = Recorder(waits);

        var until = gate.HoldOff(TimeSpan.FromSeconds(1.5));

        var other = await gate.EnterAsync(record, long.MinValue, s_held, CancellationToken.None);
        var same = await gate.EnterAsync(record, until, s_held, CancellationToken.None);

        Assert.True(other.Entered);
        Assert.InRange(other.HeldOff, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5));
        Assert.Equal((true, TimeSpan.Zero), same);
        Assert.Single(waits);
        // A later end set by another request meanwhile is waited for even by the one that slept out its own.
        gate.HoldOff(TimeSpan.FromSeconds(1.9));
        Assert.True((await gate.EnterAsync(record, until, s_held, CancellationToken.None)).HeldOff > TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_held_wait_is_not_slept_and_leaves_the_slot_free()
    {
        var gate = new GraphMailboxGate(limit: 1);
        var waits = new List<TimeSpan>();
        var record = Recorder(waits);

        var until = gate.HoldOff(TimeSpan.FromSeconds(30));

        var other = await gate.EnterAsync(record, long.MinValue, s_held, CancellationToken.None);
        var same = await gate.EnterAsync(record, until, s_held, CancellationToken.None);

        Assert.False(other.Entered);
        Assert.InRange(other.HeldOff, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        Assert.Empty(waits);
        // The one limit-1 slot was given back by the refused caller, so the request that got the 429 goes on.
        Assert.Equal((true, TimeSpan.Zero), same);
    }

    private static Func<TimeSpan, CancellationToken, Task> Recorder(List<TimeSpan> waits) => (wait, _) =>
    {
        waits.Add(wait);
        return Task.CompletedTask;
    };
}
