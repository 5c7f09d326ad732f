using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync;

/// <summary>The AIMD limit's arithmetic, step by step: no clocks, no threads racing.</summary>
public sealed class ConcurrencyLimitTests
{
    private static readonly TimeSpan s_fast = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task Slow_start_grows_by_one_per_untroubled_mailbox_up_to_the_ceiling()
    {
        var limit = new ConcurrencyLimit(ceiling: 10, initial: 4);

        await ExitAsync(limit, 4, pushedBack: false);
        Assert.Equal(8, limit.Limit);

        await ExitAsync(limit, 8, pushedBack: false);
        Assert.Equal(10, limit.Limit);
    }

    [Fact]
    public async Task A_push_back_cuts_the_limit_to_three_quarters_once_per_round_then_it_grows_by_one_per_round()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 16);

        await ExitAsync(limit, 1, pushedBack: true);
        Assert.Equal(12, limit.Limit);

        // The mailboxes still finishing were started before the cut: the same congestion, not a new one.
        await ExitAsync(limit, 11, pushedBack: true);
        Assert.Equal(12, limit.Limit);
        await ExitAsync(limit, 1, pushedBack: true);
        Assert.Equal(9, limit.Limit);

        // After slow start: one more per round of as many mailboxes as the limit.
        await ExitAsync(limit, 8, pushedBack: false);
        Assert.Equal(9, limit.Limit);
        await ExitAsync(limit, 1, pushedBack: false);
        Assert.Equal(10, limit.Limit);
    }

    [Fact]
    public async Task The_limit_never_falls_below_one()
    {
        var limit = new ConcurrencyLimit(ceiling: 8, initial: 2);

        for (var i = 0; i < 10; i++)
        {
            await ExitAsync(limit, 1, pushedBack: true);
        }

        Assert.Equal(1, limit.Limit);
    }

    [Fact]
    public async Task Latency_rising_to_twice_the_best_counts_as_congestion_and_steady_latency_does_not()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 8);
        await ExitAsync(limit, 8, pushedBack: false, s_fast);
        Assert.Equal(16, limit.Limit);

        // Smoothed (a fifth per mailbox): three mailboxes at three times the best are not yet a trend (30 -> 42 -> 52
        // -> 59 ms, under 60); the fourth is (65 ms), and cuts the limit.
        await ExitAsync(limit, 3, pushedBack: false, s_fast * 3);
        Assert.Equal(19, limit.Limit);
        await ExitAsync(limit, 1, pushedBack: false, s_fast * 3);
        Assert.Equal(14, limit.Limit);
    }

    [Fact]
    public async Task Noisy_but_steady_latency_never_cuts_the_limit()
    {
        // Client-side noise (a store write, a busy core) makes single mailboxes 4x apart with no trend: the best single
        // sample is no baseline for that, the best smoothed value is.
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 8);
        var limits = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            await ExitAsync(limit, 1, pushedBack: false, i % 2 == 0 ? s_fast / 3 : s_fast * 4 / 3);
            limits.Add(limit.Limit);
        }

        Assert.Equal(limits.OrderBy(l => l), limits);
        Assert.True(limit.Limit > 8, $"limit {limit.Limit}");
    }

    [Fact]
    public async Task Workers_beyond_the_limit_wait_and_are_let_in_as_mailboxes_finish()
    {
        var limit = new ConcurrencyLimit(ceiling: 2, initial: 1);
        await limit.EnterAsync(default);

        var second = limit.EnterAsync(default);
        Assert.False(second.IsCompleted);

        limit.Exit(pushedBack: false, s_fast);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((2, 1), (limit.Limit, limit.InFlight));
    }

    [Fact]
    public async Task A_cancelled_waiter_gives_its_turn_to_the_next()
    {
        var limit = new ConcurrencyLimit(ceiling: 1, initial: 1);
        await limit.EnterAsync(default);
        using var cancel = new CancellationTokenSource();
        var cancelled = limit.EnterAsync(cancel.Token);
        var next = limit.EnterAsync(default);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        limit.Exit(pushedBack: false, latency: null);

        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, limit.InFlight);
    }

    private static async Task ExitAsync(ConcurrencyLimit limit, int mailboxes, bool pushedBack, TimeSpan? latency = null)
    {
        for (var i = 0; i < mailboxes; i++)
        {
            await limit.EnterAsync(default);
            limit.Exit(pushedBack, latency ?? s_fast);
        }
    }
}
