using System.Net;
using System.Text.Json.Nodes;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>Outlook's per-app-per-mailbox limits over Graph, Retry-After bookkeeping, front-end 503/504, and $batch.</summary>
public sealed class GraphThrottlingTests
{
    private static Task<ExchangeSimulator> StartAsync(bool broken = false) =>
        ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 5, ItemsPerFolder = 6, BrokenMailboxes = broken });

    [Fact]
    public async Task AFifthConcurrentRequestForAMailboxIs429MailboxConcurrency()
    {
        await using var sim = await StartAsync();
        // Long enough that all eight are in flight together even on a loaded machine (at 400 ms one sometimes finished
        // before the last arrived, and a fifth was served).
        sim.Control.SetGraphThrottling(latency: TimeSpan.FromSeconds(2));
        // The eight are sent at once: none comes back after a 429, so none may count as coming back early, however late
        // a loaded machine delivers the last of them (past the default 200 ms grace, it counted one).
        sim.Control.SetThrottling(backOffGrace: TimeSpan.FromSeconds(2));
        using var graph = await GraphHttp.SignInAsync(sim);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox")));

        Assert.Equal(4, answers.Count(a => a.Status == HttpStatusCode.OK));
        var throttled = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(4, throttled.Count);
        Assert.All(throttled, a => Assert.Equal("ApplicationThrottled", a.ErrorCode));
        Assert.All(throttled, a => Assert.Equal("Application is over its MailboxConcurrency limit.", (string)a.Json["error"]!["message"]!));
        Assert.All(throttled, a => Assert.NotNull(a.Header("Retry-After")));
        var metrics = sim.Metrics.Graph;
        Assert.Equal(4, metrics.PeakConcurrencyByMailbox["user0001@contoso.test"]);
        Assert.Equal(4, metrics.ThrottledByCause.Values.Sum());
        Assert.True(metrics.ThrottledByCause["MailboxConcurrency"] >= 1);
        Assert.Equal(0, metrics.RetryAfterViolations);
        // Another mailbox has a budget of its own.
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/user0002@contoso.test/mailFolders/inbox")).Status);
    }

    [Fact]
    public async Task ComingBackBeforeRetryAfterIsAViolationAndWaitingItOutIsServed()
    {
        await using var sim = await StartAsync();
        sim.Control.SetGraphThrottling(requestsPerWindow: 1, retryAfter: TimeSpan.FromMilliseconds(2128));
        using var graph = await GraphHttp.SignInAsync(sim);
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox")).Status);

        var limited = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("1", sim.Metrics.Graph.ThrottledByCause["MailboxRequests"].ToString(System.Globalization.CultureInfo.InvariantCulture));

        sim.Control.ClearGraphRetryAfters();
        sim.Control.SetGraphThrottling(requestsPerWindow: 10_000);
        sim.Control.ThrottleMailbox("user0001@contoso.test", 1);
        var busy = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        Assert.Equal("2.128", busy.Header("Retry-After"));
        await Task.Delay(400);
        var early = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        Assert.Equal(HttpStatusCode.TooManyRequests, early.Status);
        Assert.Equal(1, sim.Metrics.Graph.RetryAfterViolations);
        Assert.Equal(1, sim.Metrics.Graph.RetryAfterViolationsByMailbox["user0001@contoso.test"]);

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox")).Status);
    }

    [Fact]
    public async Task TheThrottledUserAnswers429UntilItRecovers()
    {
        await using var sim = await StartAsync(broken: true);
        sim.Control.SetGraphThrottling(retryAfter: TimeSpan.FromMilliseconds(300));
        using var graph = await GraphHttp.SignInAsync(sim);

        var first = await graph.GetAsync("users/throttled@contoso.test/mailFolders/inbox");
        Assert.Equal(HttpStatusCode.TooManyRequests, first.Status);
        Assert.Equal("0.3", first.Header("Retry-After"));
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(350);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await graph.GetAsync("users/throttled@contoso.test/mailFolders/inbox")).Status);
        }

        await Task.Delay(350);
        Assert.Equal(HttpStatusCode.OK, (await graph.GetAsync("users/throttled@contoso.test/mailFolders/inbox")).Status);
        Assert.Equal(3, sim.Metrics.Graph.ThrottledByCause["ThrottledMailbox"]);
        Assert.Equal(0, sim.Metrics.Graph.RetryAfterViolations);
    }

    [Fact]
    public async Task InjectedFrontEndFaultsAre503And504WithRetryAfter()
    {
        await using var sim = await StartAsync();
        sim.Control.InjectGraphQuirk(GraphQuirk.Http503, 1, "user0001@contoso.test");
        sim.Control.InjectGraphQuirk(GraphQuirk.Http504, 1, "user0001@contoso.test");
        using var graph = await GraphHttp.SignInAsync(sim);

        var first = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        var second = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");
        var third = await graph.GetAsync("users/user0001@contoso.test/mailFolders/inbox");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "serviceNotAvailable"), (first.Status, first.ErrorCode));
        Assert.Equal(HttpStatusCode.GatewayTimeout, second.Status);
        Assert.NotNull(first.Header("Retry-After"));
        Assert.NotNull(second.Header("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task AFrontEndOverItsCapacityAnswers503()
    {
        await using var sim = await StartAsync();
        sim.Control.SetThrottling(serverCapacity: 2);
        sim.Control.SetGraphThrottling(latency: TimeSpan.FromMilliseconds(400));
        using var graph = await GraphHttp.SignInAsync(sim);

        var answers = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => graph.GetAsync($"users/user000{i}@contoso.test/mailFolders/inbox")));

        Assert.Equal(2, answers.Count(a => a.Status == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.NotNull(a.Header("Retry-After"));
        });
    }

    [Fact]
    public async Task BatchJudgesEachRequestOnItsOwnAndHonoursDependsOn()
    {
        await using var sim = await StartAsync(broken: true);
        using var graph = await GraphHttp.SignInAsync(sim);
        var item = sim.Control.GetItems("user0001@contoso.test")[0];
        JsonObject Request(string id, string url, params string[] dependsOn)
        {
            var request = new JsonObject { ["id"] = id, ["method"] = "GET", ["url"] = url };
            if (dependsOn.Length > 0)
            {
                request["dependsOn"] = new JsonArray(dependsOn.Select(d => (JsonNode)d).ToArray());
            }

            return request;
        }

        var batch = await graph.PostAsync("$batch", new JsonObject
        {
            ["requests"] = new JsonArray(
                Request("1", "/users/user0001@contoso.test/mailFolders/inbox"),
                Request("2", "/users/outofscope@contoso.test/mailFolders/inbox"),
                Request("3", "/users/throttled@contoso.test/mailFolders/inbox"),
                Request("4", "/users/user0002@contoso.test/mailFolders/inbox", "2"),
                Request("5", $"/users/user0001@contoso.test/messages/{sim.Control.GraphItemId(item.ItemId)}/$value", "1"),
                Request("6", "/users?$top=2")),
        });

        Assert.Equal(HttpStatusCode.OK, batch.Status);
        var responses = batch.Json["responses"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => r!.AsObject());
        Assert.Equal(200, (int)responses["1"]["status"]!);
        Assert.Equal("Inbox", (string)responses["1"]["body"]!["displayName"]!);
        Assert.Equal(403, (int)responses["2"]["status"]!);
        Assert.Equal("ErrorAccessDenied", (string)responses["2"]["body"]!["error"]!["code"]!);
        Assert.Equal(429, (int)responses["3"]["status"]!);
        Assert.NotNull(responses["3"]["headers"]!["Retry-After"]);
        Assert.Equal(424, (int)responses["4"]["status"]!);
        Assert.Equal(200, (int)responses["5"]["status"]!);
        Assert.Contains(item.InternetMessageId, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)responses["5"]["body"]!)));
        Assert.Equal(2, responses["6"]["body"]!["value"]!.AsArray().Count);

        var tooBig = await graph.PostAsync("$batch", new JsonObject
        {
            ["requests"] = new JsonArray(Enumerable.Range(1, 21).Select(i => (JsonNode)Request(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "/users")).ToArray()),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.Status);
        Assert.Equal(1, sim.Metrics.Graph.ThrottledByCause["ThrottledMailbox"]);
    }

    [Fact]
    public async Task BatchItemsOverTheMailboxLimitGetTheirOwn429()
    {
        await using var sim = await StartAsync();
        sim.Control.SetGraphThrottling(maxConcurrencyPerMailbox: 2, latency: TimeSpan.FromMilliseconds(300));
        using var graph = await GraphHttp.SignInAsync(sim);

        var batch = await graph.PostAsync("$batch", new JsonObject
        {
            ["requests"] = new JsonArray(Enumerable.Range(1, 4).Select(i => (JsonNode)new JsonObject
            {
                ["id"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["method"] = "GET", ["url"] = "/users/user0001@contoso.test/mailFolders/inbox",
            }).ToArray()),
        });

        var statuses = batch.Json["responses"]!.AsArray().Select(r => (int)r!["status"]!).ToList();
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        Assert.Equal(2, statuses.Count(s => s == 200));
        Assert.Equal(2, statuses.Count(s => s == 429));
    }
}
