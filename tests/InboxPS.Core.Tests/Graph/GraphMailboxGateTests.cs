using InboxPS.Core.Graph;

namespace InboxPS.Core.Tests.Graph;

/// <summary>Graph's per-mailbox limits, kept for all of a mailbox's folders at once (issue 14).</summary>
public sealed class GraphMailboxGateTests
{
    private static readonly Func<TimeSpan, CancellationToken, Task> s_noWait = (_, _) => Task.CompletedTask;

    [Fact]
    public async Task At_most_the_limit_is_in_flight_and_a_slot_frees_on_exit()
    {
        var gate = new GraphMailboxGate(limit: 2);
        await gate.EnterAsync(s_noWait, long.MinValue, CancellationToken.None);
        await gate.EnterAsync(s_noWait, long.MinValue, CancellationToken.None);

        var third = gate.EnterAsync(s_noWait, long.MinValue, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        gate.Exit();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_Retry_After_holds_off_the_mailboxs_other_requests_but_not_the_one_that_slept_it_out()
    {
        var gate = new GraphMailboxGate(limit: 4);
        var waits = new List<TimeSpan>();
        Task Record(TimeSpan wait, CancellationToken _)
        {
            waits.Add(wait);
            return Task.CompletedTask;
        }

        var until = gate.HoldOff(TimeSpan.FromSeconds(30));

        var other = await gate.EnterAsync(Record, long.MinValue, CancellationToken.None);
        var same = await gate.EnterAsync(Record, until, CancellationToken.None);

        Assert.InRange(other, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, same);
        Assert.Single(waits);
        // A later end set by another request meanwhile is waited for even by the one that slept out its own.
        gate.HoldOff(TimeSpan.FromSeconds(60));
        Assert.True(await gate.EnterAsync(Record, until, CancellationToken.None) > TimeSpan.FromSeconds(59));
    }
}
