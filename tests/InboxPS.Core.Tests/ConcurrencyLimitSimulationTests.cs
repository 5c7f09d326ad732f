using Xunit.Abstractions;

namespace InboxPS.Core.Tests;

/// <summary>
/// The request limit against a server in virtual time: the Bench's model (a call keeps one of the front end's slots
/// busy 20 ms plus its items' cost; a full front end answers 503 at once, and does not say how many slots it has), many
/// mailboxes each sending one call after another with some client work between them, and a 503 retried after the
/// client's first back-off for it. No wall clock, no threads: the same seed gives the same run, so what it proves is the limit's, not
/// the machine's.
/// </summary>
public sealed class ConcurrencyLimitSimulationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1000, 0.95)]
    [InlineData(10000, 0.95)]
    // Small runs weigh the start and the end more: slow start takes three round trips from 4 to 16, the last mailboxes'
    // calls come one after another while the front end empties, and a probe refused near the end puts its mailbox's
    // retry on the end.
    [InlineData(120, 0.80)]
    public void A_steady_front_end_is_kept_busy_with_at_most_one_percent_503s(int mailboxes, double efficiency)
    {
        var run = new SimulatedRun(mailboxes, capacity: _ => 16).Run();
        output.WriteLine($"{mailboxes} mailboxes: efficiency {run.Efficiency:0.000} ({run.Elapsed:0} ms, limit {run.LimitMs:0} ms), 503s: {run.Refused} of {run.Requests} ({run.RefusedShare:P2})");

        Assert.True(run.RefusedShare <= 0.01, $"503s: {run.Refused} of {run.Requests} ({run.RefusedShare:P1})");
        Assert.True(run.Efficiency >= efficiency, $"efficiency {run.Efficiency:0.000} ({run.Elapsed:0} ms, limit {run.LimitMs:0} ms), 503s: {run.Refused} of {run.Requests}");
    }

    [Theory]
    [InlineData(120, 3)]
    [InlineData(1000, 3)]
    [InlineData(1000, 10)]
    public void A_busy_client_that_handles_answers_late_and_in_bunches_still_sees_at_most_one_percent_503s(int mailboxes, double lagMs)
    {
        // Answers handled up to 3 or 10 ms late (a call takes 20 to 27 ms): slow start overshoots further before the
        // first 503 is handled, the refusals of one flight come back together, and the count the limit keeps is blurred
        // by a request or two. (10,000 mailboxes at 10 ms late meet 1.00 % 503s at 0.80 efficiency: a client that busy
        // hides what the front end takes, and only less CPU per call helps.)
        var run = new SimulatedRun(mailboxes, capacity: _ => 16, clientLagMs: lagMs).Run();
        output.WriteLine($"{mailboxes} mailboxes, client lag {lagMs} ms: efficiency {run.Efficiency:0.000} ({run.Elapsed:0} ms, limit {run.LimitMs:0} ms), 503s: {run.Refused} of {run.Requests} ({run.RefusedShare:P2})");

        Assert.True(run.RefusedShare <= 0.01, $"503s: {run.Refused} of {run.Requests} ({run.RefusedShare:P1})");
    }

    [Fact]
    public void A_front_end_that_shrinks_to_a_quarter_and_grows_back_is_followed_both_ways()
    {
        // 1000 mailboxes take about 8 s at 16 slots; the storm (4 slots) lasts from 2 s to 6 s.
        static int Capacity(double at) => at >= 2000 && at < 6000 ? 4 : 16;
        var run = new SimulatedRun(1000, Capacity).Run();
        output.WriteLine($"storm: efficiency {run.Efficiency:0.000} ({run.Elapsed:0} ms, limit {run.LimitMs:0} ms), 503s: {run.Refused} of {run.Requests}");

        Assert.True(run.Efficiency >= 0.90, $"efficiency {run.Efficiency:0.000} ({run.Elapsed:0} ms, limit {run.LimitMs:0} ms), 503s: {run.Refused}");
        Assert.True(run.LimitAt(1900) >= 15, $"limit before the storm {run.LimitAt(1900)}");
        Assert.True(run.LimitAt(2500) <= 5, $"limit in the storm {run.LimitAt(2500)}");
        Assert.True(run.LimitAt(6800) >= 15, $"limit 0.8 s after the storm {run.LimitAt(6800)}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var first = new SimulatedRun(200, _ => 16).Run();
        var second = new SimulatedRun(200, _ => 16).Run();

        Assert.Equal((first.Elapsed, first.Refused, first.Requests), (second.Elapsed, second.Refused, second.Requests));
    }

    /// <summary>
    /// Discrete events in virtual milliseconds. Each mailbox makes <see cref="CallsPerMailbox"/> calls in a row, with
    /// client work before each; 64 mailboxes are in flight (the engine's default); every call passes the limit, first
    /// come first served, as the gate does.
    /// </summary>
    private sealed class SimulatedRun
    {
        private const int CallsPerMailbox = 4;
        private const int MailboxesInFlight = 64;
        private const double NetworkMs = 0.3;
        private const double ClientWorkMs = 3;
        // RetryPolicy.FullServerDelay's first wait, 50 to 100 ms.
        private const double RetryAfter503Ms = 75;

        private readonly int _mailboxes;
        private readonly Func<double, int> _capacity;
        private readonly double _clientLagMs;
        private readonly Random _random = new(7);
        private readonly Random _lag = new(11);
        private readonly PriorityQueue<Action, (double, long)> _events = new();
        private readonly Queue<Call> _waiting = new();
        private readonly ConcurrencyLimit _limit = new(ConcurrencyGateHandler.Ceiling, ConcurrencyGateHandler.InitialLimit);
        private readonly List<(double At, int Limit)> _limits = [];
        private long _order;
        private double _now;
        private int _inServer;
        private int _started;
        private double _servedMs;

        /// <param name="clientLagMs">A busy client handles each answer up to this much later than it came, so answers are
        /// handled late, in bunches and out of order (a machine whose cores are all taken).</param>
        public SimulatedRun(int mailboxes, Func<double, int> capacity, double clientLagMs = 0)
        {
            _mailboxes = mailboxes;
            _capacity = capacity;
            _clientLagMs = clientLagMs;
        }

        public double Elapsed { get; private set; }

        public int Requests { get; private set; }

        public int Refused { get; private set; }

        public double RefusedShare => (double)Refused / Requests;

        /// <summary>The least time the served work needs in the front end's slot-milliseconds, its capacity over time.</summary>
        public double LimitMs { get; private set; }

        public double Efficiency => LimitMs / Elapsed;

        public int LimitAt(double at) => _limits.LastOrDefault(l => l.At <= at).Limit;

        public SimulatedRun Run()
        {
            for (var i = 0; i < Math.Min(MailboxesInFlight, _mailboxes); i++)
            {
                StartMailbox();
            }

            while (_events.TryDequeue(out var action, out var when))
            {
                _now = when.Item1;
                action();
            }

            LimitMs = LeastTime(_servedMs);
            return this;
        }

        private void At(double delay, Action action) => _events.Enqueue(action, (_now + delay, _order++));

        private void StartMailbox()
        {
            if (_started == _mailboxes)
            {
                return;
            }

            _started++;
            At(ClientWorkMs, () => Send(new Call(CallsPerMailbox)));
        }

        private void Send(Call call)
        {
            _waiting.Enqueue(call);
            Admit();
        }

        private void Admit()
        {
            while (_waiting.Count > 0 && _limit.TryEnter(out var ticket))
            {
                var call = _waiting.Dequeue();
                call.Ticket = ticket;
                At(NetworkMs, () => Arrive(call));
            }

            if (_limits.Count == 0 || _limits[^1].Limit != _limit.Limit)
            {
                _limits.Add((_now, _limit.Limit));
            }
        }

        private void Arrive(Call call)
        {
            Requests++;
            if (_inServer >= _capacity(_now))
            {
                Refused++;
                At(NetworkMs + Lag(), () => Answered(call, RequestVerdict.Refused));
                return;
            }

            _inServer++;
            // 20 ms per call, 0.2 ms per item (up to 24 items), 0.05 ms per KB (up to 30 KB).
            var service = 20 + 0.2 * _random.Next(0, 25) + 0.05 * _random.Next(1, 31);
            _servedMs += service;
            At(service, () =>
            {
                _inServer--;
                At(NetworkMs + Lag(), () => Answered(call, RequestVerdict.Served));
            });
        }

        private double Lag() => _clientLagMs * _lag.NextDouble();

        private void Answered(Call call, RequestVerdict verdict)
        {
            _limit.Exit(call.Ticket, verdict);
            Admit();
            if (verdict == RequestVerdict.Refused)
            {
                At(RetryAfter503Ms, () => Send(call));
            }
            else if (--call.Left > 0)
            {
                At(ClientWorkMs, () => Send(call));
            }
            else
            {
                Elapsed = _now;
                StartMailbox();
            }
        }

        // The least T whose capacity-milliseconds (the capacity summed over each millisecond up to T) cover the work.
        private double LeastTime(double workMs)
        {
            double covered = 0, at = 0;
            while (covered < workMs)
            {
                covered += _capacity(at);
                at++;
            }

            return at;
        }

        private sealed class Call(int left)
        {
            public int Left { get; set; } = left;

            public long Ticket { get; set; }
        }
    }
}
