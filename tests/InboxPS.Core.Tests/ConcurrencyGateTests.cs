using System.Net;

namespace InboxPS.Core.Tests;

public sealed class ConcurrencyGateTests
{
    [Fact]
    public async Task Requests_beyond_the_limit_wait_and_are_let_in_as_others_finish()
    {
        var gate = new ConcurrencyGate(new ConcurrencyLimit(ceiling: 2, initial: 1));
        var first = await gate.EnterAsync(default);

        var second = gate.EnterAsync(default);
        Assert.False(second.IsCompleted);

        gate.Exit(first, RequestVerdict.Served);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((2, 1), (gate.Limit, gate.InFlight));
    }

    [Fact]
    public async Task A_request_let_in_is_sent_on_the_thread_that_freed_its_slot()
    {
        // A hop through the thread pool would leave the server's slot empty while the request waits for a thread.
        var gate = new ConcurrencyGate(new ConcurrencyLimit(ceiling: 1, initial: 1));
        var first = await gate.EnterAsync(default);
        var sentOn = -1;
        var waiting = SendWhenLetIn();

        gate.Exit(first, RequestVerdict.Served);

        Assert.Equal(Environment.CurrentManagedThreadId, sentOn);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        async Task SendWhenLetIn()
        {
            await gate.EnterAsync(default);
            sentOn = Environment.CurrentManagedThreadId;
        }
    }

    [Fact]
    public async Task A_long_line_of_requests_that_fail_at_once_is_let_through_without_deep_recursion()
    {
        // Each request let in fails before its first wait and leaves the gate at once, which lets in the next: nested
        // on one thread, that would be as deep as the line is long.
        const int Line = 2000;
        var gate = new ConcurrencyGate(new ConcurrencyLimit(ceiling: 1, initial: 1));
        var first = await gate.EnterAsync(default);
        var deepest = 0;
        using var depth = new ThreadLocal<int>();
        var failed = Enumerable.Range(0, Line).Select(_ => FailAtOnce()).ToArray();

        gate.Exit(first, RequestVerdict.Served);

        await Task.WhenAll(failed).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(deepest, 1, 8);
        Assert.Equal(0, gate.InFlight);

        async Task FailAtOnce()
        {
            var ticket = await gate.EnterAsync(default);
            // Nesting on this thread: the frames below this one that are still inside a request of the line.
            depth.Value++;
            InterlockedMax(ref deepest, depth.Value);
            gate.Exit(ticket, RequestVerdict.Unknown);
            depth.Value--;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    [Fact]
    public async Task A_cancelled_waiter_gives_its_turn_to_the_next()
    {
        var gate = new ConcurrencyGate(new ConcurrencyLimit(ceiling: 1, initial: 1));
        var first = await gate.EnterAsync(default);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancel.Token);
        var next = gate.EnterAsync(default);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Exit(first, RequestVerdict.Served);

        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task Only_cancelled_waiters_in_line_do_not_hold_up_a_new_request()
    {
        var gate = new ConcurrencyGate(new ConcurrencyLimit(ceiling: 1, initial: 1));
        var first = await gate.EnterAsync(default);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Exit(first, RequestVerdict.Unknown);

        await gate.EnterAsync(default).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task The_handler_holds_requests_to_one_server_at_its_limit_and_a_503_cuts_it()
    {
        var inner = new HoldingHandler();
        var gates = new ConcurrencyGateHandler(inner);
        using var client = new HttpClient(gates);
        var server = new Uri("https://ews.contoso.test/EWS/Exchange.asmx");

        async Task<HttpStatusCode> SendAsync(Uri to)
        {
            using var response = await client.GetAsync(to);
            return response.StatusCode;
        }

        var sends = Enumerable.Range(0, 10).Select(_ => SendAsync(server)).ToList();
        await inner.Reached(ConcurrencyGateHandler.InitialLimit).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(ConcurrencyGateHandler.InitialLimit, inner.InFlight);

        // Another server has its own gate.
        var other = SendAsync(new Uri("https://graph.contoso.test/v1.0/users"));
        await inner.Reached(ConcurrencyGateHandler.InitialLimit + 1).WaitAsync(TimeSpan.FromSeconds(5));

        inner.Answer(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await sends[0]);
        Assert.Equal(ConcurrencyGateHandler.InitialLimit - 1, gates.LimitFor(server));

        inner.AnswerAll(HttpStatusCode.OK);
        await Task.WhenAll(sends.Append(other)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(inner.MostInFlight <= ConcurrencyGateHandler.InitialLimit + 1, $"most in flight {inner.MostInFlight}");
    }

    [Fact]
    public async Task A_served_request_keeps_its_place_until_its_response_is_disposed()
    {
        // The server counts a request until it has written the body; so does the gate, until the body is read.
        var inner = new HoldingHandler();
        using var client = new HttpClient(new ConcurrencyGateHandler(inner));
        var server = new Uri("https://ews.contoso.test/EWS/Exchange.asmx");
        var first = Enumerable.Range(0, ConcurrencyGateHandler.InitialLimit)
            .Select(_ => client.GetAsync(server, HttpCompletionOption.ResponseHeadersRead)).ToList();
        await inner.Reached(ConcurrencyGateHandler.InitialLimit).WaitAsync(TimeSpan.FromSeconds(5));
        var waiting = client.GetAsync(server, HttpCompletionOption.ResponseHeadersRead);

        inner.Answer(HttpStatusCode.OK);
        var answered = await first[0].WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(50);
        Assert.Equal(ConcurrencyGateHandler.InitialLimit - 1, inner.InFlight);

        answered.Dispose();
        await inner.Reached(ConcurrencyGateHandler.InitialLimit).WaitAsync(TimeSpan.FromSeconds(5));
        inner.AnswerAll(HttpStatusCode.OK);
        foreach (var response in await Task.WhenAll(first.Skip(1).Append(waiting)).WaitAsync(TimeSpan.FromSeconds(5)))
        {
            response.Dispose();
        }
    }

    /// <summary>Holds every request until the test answers it, oldest first.</summary>
    private sealed class HoldingHandler : HttpMessageHandler
    {
        private readonly object _lock = new();
        private readonly Queue<TaskCompletionSource<HttpResponseMessage>> _held = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _watches = [];
        private bool _answerAll;
        private HttpStatusCode _status;

        public int InFlight { get; private set; }

        public int MostInFlight { get; private set; }

        public Task Reached(int count)
        {
            lock (_lock)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (InFlight >= count)
                {
                    reached.SetResult();
                }
                else
                {
                    _watches.Add((count, reached));
                }

                return reached.Task;
            }
        }

        public void Answer(HttpStatusCode status)
        {
            TaskCompletionSource<HttpResponseMessage> next;
            lock (_lock)
            {
                next = _held.Dequeue();
                InFlight--;
            }

            next.SetResult(new HttpResponseMessage(status));
        }

        public void AnswerAll(HttpStatusCode status)
        {
            List<TaskCompletionSource<HttpResponseMessage>> all;
            lock (_lock)
            {
                _answerAll = true;
                _status = status;
                all = [.. _held];
                _held.Clear();
                InFlight -= all.Count;
            }

            all.ForEach(held => held.SetResult(new HttpResponseMessage(status)));
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_answerAll)
                {
                    return Task.FromResult(new HttpResponseMessage(_status));
                }

                var held = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                _held.Enqueue(held);
                InFlight++;
                MostInFlight = Math.Max(MostInFlight, InFlight);
                foreach (var watch in _watches.Where(w => InFlight >= w.Count).ToList())
                {
                    watch.Reached.SetResult();
                    _watches.Remove(watch);
                }

                return held.Task;
            }
        }
    }
}
