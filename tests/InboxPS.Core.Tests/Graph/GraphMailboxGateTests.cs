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
    public async Task A_batch_takes_several_slots_and_two_batches_never_each_hold_part_of_the_limit()
    {
        var gate = new GraphMailboxGate(limit: 4);
        await gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None);

        var first = gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None, slots: 4);
        var second = gate.EnterAsync(s_noWait, long.MinValue, s_held, CancellationToken.None, slots: 4);
        await Task.Delay(50);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        // The single request ends: the first batch gets all four slots, the second waits for them whole.
        gate.Exit();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        gate.Exit(4);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
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

    [Fact]
    public async Task Requests_for_one_mailbox_share_one_gate_at_any_moment_and_an_idle_mailbox_is_forgotten()
    {
        var gates = new GraphMailboxGates(limit: 4);
        var mailboxes = new[] { "a@contoso.com", "b@contoso.com", "c@contoso.com" };
        var held = new Dictionary<string, (GraphMailboxGate? Gate, int Holders)>();
        foreach (var mailbox in mailboxes)
        {
            held[mailbox] = (null, 0);
        }

        var mixedUp = 0;
        using var start = new Barrier(8);
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 20_000; i++)
            {
                // Upper case too: one mailbox however its address is spelled.
                var mailbox = mailboxes[(worker + i) % mailboxes.Length];
                var gate = gates.Lease(i % 2 == 0 ? mailbox : mailbox.ToUpperInvariant());
                lock (held)
                {
                    var (current, holders) = held[mailbox];
                    if (holders > 0 && !ReferenceEquals(current, gate))
                    {
                        mixedUp++;
                    }

                    held[mailbox] = (gate, holders + 1);
                }

                lock (held)
                {
                    var (current, holders) = held[mailbox];
                    held[mailbox] = (current, holders - 1);
                }

                gates.Release(gate);
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

        // A gate forgotten while another request of its mailbox held it would have split the mailbox's limit in two.
        Assert.Equal(0, mixedUp);
        Assert.Equal(0, gates.Count);
    }

    [Fact]
    public async Task A_gate_with_a_Retry_After_pending_is_kept_after_its_last_request_and_swept_once_it_ran_out()
    {
        var gates = new GraphMailboxGates(limit: 4);
        var throttled = gates.Lease("throttled@contoso.com");
        throttled.HoldOff(TimeSpan.FromHours(1));
        gates.Release(throttled);

        // The next request of that mailbox still finds the back-off.
        var again = gates.Lease("throttled@contoso.com");
        Assert.Same(throttled, again);
        Assert.True(again.IsHoldingOff);
        gates.Release(again);

        var recovered = gates.Lease("recovered@contoso.com");
        recovered.HoldOff(TimeSpan.FromMilliseconds(1));
        gates.Release(recovered);
        while (recovered.IsHoldingOff)
        {
            await Task.Delay(10);
        }

        // Adding gates up to the sweep point forgets the one whose back-off ran out, and only that one.
        for (var i = 0; i < 64; i++)
        {
            gates.Lease($"user{i}@contoso.com");
        }

        Assert.Equal(65, gates.Count);
        Assert.Same(throttled, gates.Lease("throttled@contoso.com"));
        Assert.NotSame(recovered, gates.Lease("recovered@contoso.com"));
    }

    private static Func<TimeSpan, CancellationToken, Task> Recorder(List<TimeSpan> waits) => (wait, _) =>
    {
        waits.Add(wait);
        return Task.CompletedTask;
    };
}
