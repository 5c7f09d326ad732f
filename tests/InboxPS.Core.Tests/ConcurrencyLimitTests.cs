namespace InboxPS.Core.Tests;

/// <summary>The request limit's arithmetic, step by step: no clocks, no threads racing.</summary>
public sealed class ConcurrencyLimitTests
{
    [Fact]
    public void Slow_start_grows_while_the_limit_is_used_but_never_more_than_a_quarter_above_what_the_server_took()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 4);
        var limits = new List<int>();
        for (var round = 0; round < 5; round++)
        {
            ServeRound(limit);
            limits.Add(limit.Limit);
        }

        // One more per request served at the highest level yet, up to 2 (a quarter past 8) above the highest served.
        Assert.Equal([6, 8, 10, 12, 14], limits);
    }

    [Fact]
    public void Slow_start_stops_at_the_ceiling()
    {
        var limit = new ConcurrencyLimit(ceiling: 10, initial: 4);
        for (var round = 0; round < 6; round++)
        {
            ServeRound(limit);
        }

        Assert.Equal(10, limit.Limit);
    }

    [Fact]
    public void A_limit_not_used_does_not_grow()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 4);

        // One request at a time, many times: nothing learnt about four at once, let alone five.
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limit.TryEnter(out var ticket));
            limit.Exit(ticket, RequestVerdict.Served);
        }

        Assert.Equal(4, limit.Limit);
    }

    [Fact]
    public void A_503_cuts_below_the_level_it_met_each_request_of_that_flight_refused_too_takes_one_more_off_and_only_a_later_one_cuts_again()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 20);
        var tickets = EnterAll(limit);

        // 20 in flight: the front end refused one, so it took at most 19: nine tenths of 20.
        limit.Exit(tickets[0], RequestVerdict.Refused);
        Assert.Equal(18, limit.Limit);

        // Five more of the same flight refused: it took at most 14, so 13 (nine tenths of 15) at most.
        for (var i = 1; i < 6; i++)
        {
            limit.Exit(tickets[i], RequestVerdict.Refused);
        }

        Assert.Equal(13, limit.Limit);

        // The rest were served: sent before the cut, they say nothing of the new limit.
        foreach (var ticket in tickets.Skip(6))
        {
            limit.Exit(ticket, RequestVerdict.Served);
        }

        Assert.Equal(13, limit.Limit);

        // A request sent after the cut and refused: the server has less room still.
        var after = EnterAll(limit);
        limit.Exit(after[0], RequestVerdict.Refused);
        Assert.Equal(11, limit.Limit);
    }

    [Fact]
    public void The_limit_never_falls_below_one()
    {
        var limit = new ConcurrencyLimit(ceiling: 8, initial: 2);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(limit.TryEnter(out var ticket));
            limit.Exit(ticket, RequestVerdict.Refused);
        }

        Assert.Equal(1, limit.Limit);
    }

    [Fact]
    public void Unknown_answers_neither_grow_nor_cut()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 4);
        var tickets = EnterAll(limit);
        foreach (var ticket in tickets)
        {
            limit.Exit(ticket, RequestVerdict.Unknown);
        }

        Assert.Equal((4, 0), (limit.Limit, limit.InFlight));
    }

    [Fact]
    public void Below_the_level_that_met_a_503_it_climbs_one_per_round_then_waits_before_probing_and_waits_twice_as_long_after_a_refused_probe()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 17);
        CutAt(limit);
        Assert.Equal(15, limit.Limit);

        ServeRound(limit);
        Assert.Equal(16, limit.Limit);

        // One under the level that met the 503: eight rounds there before probing 17.
        ServeRounds(limit, ConcurrencyLimit.InitialProbeRounds - 1);
        Assert.Equal(16, limit.Limit);
        ServeRound(limit);
        Assert.Equal(17, limit.Limit);

        // The probe is refused: back to 15, up to 16, and now sixteen rounds before the next probe.
        CutAt(limit);
        ServeRound(limit);
        ServeRounds(limit, 2 * ConcurrencyLimit.InitialProbeRounds - 1);
        Assert.Equal(16, limit.Limit);
        ServeRound(limit);
        Assert.Equal(17, limit.Limit);
    }

    [Fact]
    public void A_whole_round_served_at_the_level_that_met_a_503_means_the_server_grew_and_slow_start_finds_it()
    {
        var limit = new ConcurrencyLimit(ceiling: 64, initial: 5);
        CutAt(limit);
        ServeRounds(limit, ConcurrencyLimit.InitialProbeRounds);
        Assert.Equal(5, limit.Limit);

        ServeRound(limit);
        Assert.Equal(6, limit.Limit);
        ServeRound(limit);
        Assert.Equal(8, limit.Limit);
    }

    // Fills the limit, then serves every request: one round.
    private static void ServeRound(ConcurrencyLimit limit)
    {
        foreach (var ticket in EnterAll(limit))
        {
            limit.Exit(ticket, RequestVerdict.Served);
        }
    }

    private static void ServeRounds(ConcurrencyLimit limit, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            ServeRound(limit);
        }
    }

    // The limit full, and one of the requests refused; the others served.
    private static void CutAt(ConcurrencyLimit limit)
    {
        var tickets = EnterAll(limit);
        limit.Exit(tickets[0], RequestVerdict.Refused);
        foreach (var ticket in tickets.Skip(1))
        {
            limit.Exit(ticket, RequestVerdict.Served);
        }
    }

    private static List<long> EnterAll(ConcurrencyLimit limit)
    {
        var tickets = new List<long>();
        while (limit.TryEnter(out var ticket))
        {
            tickets.Add(ticket);
        }

        return tickets;
    }
}
