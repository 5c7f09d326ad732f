using System.Net;
using System.Net.Http.Headers;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>Retries: which faults, how long the waits are (recorded, never slept), when the client gives up.</summary>
public sealed class EwsRetryTests
{
    private static readonly string s_page = Soap.SyncItemsPage("next", true, string.Empty);

    public static TheoryData<string, Func<HttpResponseMessage>> TransientFaults() => new()
    {
        { "EwsServerBusy", () => Responses.Xml(Soap.Fault("ErrorServerBusy", "busy"), HttpStatusCode.InternalServerError) },
        { "EwsTooManyConcurrentRequests", () => Responses.Xml(Soap.Fault("ErrorExceededConnectionCount", "too many"), HttpStatusCode.InternalServerError) },
        { "EwsServerBusy", () => Responses.Xml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", "ErrorTooManyObjectsOpened"))) },
        { "EwsServerError", () => Responses.Xml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", "ErrorInternalServerTransientError"))) },
        { "EwsMailboxUnavailable", () => Responses.Xml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", "ErrorMailboxStoreUnavailable"))) },
        { "EwsMailboxMoveInProgress", () => Responses.Xml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", "ErrorMailboxMoveInProgress"))) },
        { "EwsServerBusy", () => Responses.Status(HttpStatusCode.ServiceUnavailable) },
        { "EwsServerBusy", () => Responses.Status(HttpStatusCode.TooManyRequests) },
        { "EwsServiceUnavailable", () => Responses.Status(HttpStatusCode.BadGateway, "<html><body>Bad gateway</body></html>", "text/html") },
        { "EwsServiceUnavailable", () => Responses.Status(HttpStatusCode.GatewayTimeout) },
        { "EwsInvalidResponse", () => Responses.Status(HttpStatusCode.InternalServerError, "<html><title>Server Error in '/EWS' Application.</title></html>", "text/html") },
    };

    public static TheoryData<int> TransientFaultIndexes() => new(Enumerable.Range(0, TransientFaults().Count));

    [Theory]
    [MemberData(nameof(TransientFaultIndexes))]
    public async Task Transient_faults_are_retried_and_the_wait_is_reported(int index)
    {
        var fault = (Func<HttpResponseMessage>)((object[])TransientFaults().ElementAt(index))[1];
        var handler = new ScriptedHandler().Then(_ => fault()).ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits);
        var metrics = new CallMetrics();

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, default);

        Assert.Equal("next", page.SyncState);
        var wait = Assert.Single(waits);
        Assert.Equal((2, 1, wait), (metrics.Requests, metrics.Retries, metrics.ThrottledFor));

        // The first exponential step of the default policy (1 s base, equal jitter); after a 503, 100 ms.
        var first = fault().StatusCode == HttpStatusCode.ServiceUnavailable ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);
        Assert.InRange(wait, first / 2, first);
    }

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task Transient_faults_carry_their_error_id_when_retries_run_out(string errorId, Func<HttpResponseMessage> fault)
    {
        var handler = new ScriptedHandler().Then(_ => fault());
        using var client = TestClients.Create(handler, o => o.Retry.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default));

        Assert.Equal((errorId, true), (error.ErrorId, error.IsTransient));
        Assert.NotNull(error.HttpStatus);
        Assert.Equal(handler.Requests[0].Header("client-request-id"), error.RequestId);
    }

    [Fact]
    public async Task Retry_After_seconds_are_honoured_exactly_plus_a_small_added_jitter()
    {
        var handler = new ScriptedHandler()
            .Then(_ =>
            {
                var busy = Responses.Status(HttpStatusCode.ServiceUnavailable);
                busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
                return busy;
            })
            .ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits, o => o.Retry.MaxHeldWait = TimeSpan.FromMinutes(1));

        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default);

        Assert.InRange(Assert.Single(waits), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30.25));
    }

    [Fact]
    public async Task A_server_back_off_longer_than_MaxHeldWait_ends_the_call_at_once_with_the_back_off_for_the_engine()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(180_000)).ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits);
        var metrics = new CallMetrics();

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, default));

        Assert.Equal(("EwsServerBusy", TimeSpan.FromMinutes(3)), (error.ErrorId, error.BackOff));
        Assert.Empty(waits);
        Assert.Equal((1, TimeSpan.Zero), (metrics.Requests, metrics.ThrottledFor));
    }

    [Fact]
    public async Task A_server_back_off_up_to_MaxHeldWait_is_slept_by_the_call()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(2_000)).ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits);

        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default);

        Assert.InRange(Assert.Single(waits), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.2));
    }

    [Fact]
    public async Task A_server_back_off_longer_than_MaxDelay_is_still_honoured_in_full()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(180_000)).ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits, o =>
        {
            o.Retry.MaxDelay = TimeSpan.FromSeconds(5);
            o.Retry.MaxHeldWait = TimeSpan.FromMinutes(10);
        });

        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default);

        Assert.InRange(Assert.Single(waits), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3) + TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Exponential_waits_double_within_their_jitter_and_stop_at_MaxDelay()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 6; i++)
        {
            handler.Then(_ => Responses.Status(HttpStatusCode.GatewayTimeout));
        }

        using var client = TestClients.Create(handler, out var waits, o =>
        {
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(8);
            o.Retry.MaxHeldWait = TimeSpan.FromMinutes(1);
        });

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default));

        Assert.Equal("HttpStatus504", error.ResponseCode);
        Assert.Equal(6, handler.Requests.Count);
        var steps = new[] { 1, 2, 4, 8, 8 };
        Assert.Equal(steps.Length, waits.Count);
        for (var i = 0; i < steps.Length; i++)
        {
            Assert.InRange(waits[i], TimeSpan.FromSeconds(steps[i] / 2.0), TimeSpan.FromSeconds(steps[i]));
        }
    }

    [Fact]
    public async Task After_a_503_without_Retry_After_the_waits_start_at_FullServerDelay_and_double()
    {
        // A full front end: the concurrency gate has cut the requests in flight, and room comes within a call's time.
        var handler = new ScriptedHandler();
        for (var i = 0; i < 4; i++)
        {
            handler.Then(_ => Responses.Status(HttpStatusCode.ServiceUnavailable));
        }

        handler.ThenXml(s_page);
        using var client = TestClients.Create(handler, out var waits);

        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default);

        var steps = new[] { 100, 200, 400, 800 };
        Assert.Equal(steps.Length, waits.Count);
        for (var i = 0; i < steps.Length; i++)
        {
            Assert.InRange(waits[i], TimeSpan.FromMilliseconds(steps[i] / 2.0), TimeSpan.FromMilliseconds(steps[i]));
        }
    }

    [Fact]
    public async Task Exponential_waits_never_pass_MaxHeldWait()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 6; i++)
        {
            handler.Then(_ => Responses.Status(HttpStatusCode.ServiceUnavailable));
        }

        using var client = TestClients.Create(handler, out var waits);

        await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, null, default));

        Assert.Equal(5, waits.Count);
        Assert.All(waits, w => Assert.True(w <= TimeSpan.FromSeconds(2), $"waited {w}"));
    }

    [Fact]
    public async Task The_client_gives_up_with_the_last_error_when_the_next_back_off_would_pass_MaxTotalDelay()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(60_000)).ThenXml(Soap.ServerBusy(297_749));
        using var client = TestClients.Create(handler, out var waits, o =>
        {
            o.Retry.MaxTotalDelay = TimeSpan.FromMinutes(5);
            o.Retry.MaxHeldWait = TimeSpan.FromMinutes(10);
        });
        var metrics = new CallMetrics();

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, default));

        // 60 s was waited; 297.7 s more would exceed 5 min, so the second fault comes back at once, with its back-off
        // for the caller to park the mailbox.
        Assert.Equal(TimeSpan.FromMilliseconds(297_749), error.BackOff);
        Assert.True(error.IsTransient);
        Assert.Single(waits);
        Assert.Equal((2, waits[0]), (metrics.Requests, metrics.ThrottledFor));
    }

    [Theory]
    [InlineData("ErrorInvalidSyncStateData", "EwsInvalidSyncState")]
    [InlineData("ErrorSyncFolderNotFound", "EwsSyncFolderNotFound")]
    [InlineData("ErrorImpersonateUserDenied", "EwsImpersonationDenied")]
    [InlineData("ErrorNonExistentMailbox", "EwsMailboxNotFound")]
    [InlineData("ErrorAccessDenied", "EwsAccessDenied")]
    [InlineData("ErrorSomethingNew", "EwsRequestFailed")]
    public async Task Permanent_errors_are_thrown_after_one_request(string code, string errorId)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", code)));
        using var client = TestClients.Create(handler, out var waits);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "s", 100, null, default));

        Assert.Equal((errorId, code, false), (error.ErrorId, error.ResponseCode, error.IsTransient));
        Assert.Single(handler.Requests);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Cancelling_during_a_back_off_stops_the_wait_at_once()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(2_000));
        using var client = new EwsClient(new EwsClientOptions(TestClients.Endpoint), new BearerTokenAuthenticator(new FakeTokenSource()), handler);
        using var cancellation = new CancellationTokenSource();
        var metrics = new CallMetrics();

        var call = client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, cancellation.Token);
        while (handler.Requests.Count == 0)
        {
            await Task.Yield();
        }

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.Zero, metrics.ThrottledFor);
    }

    [Fact]
    public async Task A_cancelled_call_throws_OperationCanceledException_not_an_EwsException()
    {
        using var client = TestClients.Create(new ScriptedHandler().ThenXml(Soap.Inbox()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, new CancellationToken(true)));
    }

    [Fact]
    public async Task One_metrics_object_adds_up_calls_made_in_parallel()
    {
        var handler = new ScriptedHandler();
        for (var i = 0; i < 20; i++)
        {
            handler.ThenXml(Soap.Inbox());
        }

        using var client = TestClients.Create(handler);
        var metrics = new CallMetrics();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.GetFolderAsync(TestClients.Alice, "inbox", metrics, default))));

        Assert.Equal((20, 0), (metrics.Requests, metrics.Retries));
    }
}
