using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using InboxPS.Core;
using InboxPS.Core.Graph;
using InboxPS.Core.Sync;
using InboxPS.Simulator;

namespace InboxPS.Benchmarks;

/// <summary>
/// Issue 14's JSON batching, measured: one mailbox's folders read from scratch with MIME (-IncludeMime), one $value
/// per message against $value in JSON $batch requests of 20, over real HTTPS against the simulator with the Bench
/// task's service time. Runs alternate (off, on, off, on...) so load drift hits both alike; the ratio is within one run.
/// </summary>
internal static class GraphBatchBenchmark
{
    private const int Runs = 3;
    private const int ItemsPerFolder = 300;

    public static async Task<IReadOnlyList<BenchmarkRow>> RunAsync()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 2 * Runs, ItemsPerFolder = ItemsPerFolder });
        sim.Control.SetServiceTime(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(0.05));
        using var handler = sim.CreateTrustingHandler();
        var tokens = new FixedToken(await TokenAsync(sim, handler));

        var measured = new Dictionary<bool, List<Run>> { [false] = new(), [true] = new() };
        for (var run = 0; run < Runs; run++)
        {
            foreach (var batching in new[] { false, true })
            {
                // A fresh mailbox each time: the server's per-mailbox window starts empty for both.
                var mailbox = sim.MailboxAddresses[run * 2 + (batching ? 1 : 0)];
                measured[batching].Add(await SyncWithMimeAsync(sim, handler, tokens, mailbox, batching));
            }
        }

        var baseline = Median(measured[false], r => r.Seconds);
        return new[] { false, true }.Select(batching =>
        {
            var runs = measured[batching];
            var seconds = Median(runs, r => r.Seconds);
            var last = runs[^1];
            return new BenchmarkRow(
                $"Graph: inbox + sent items from scratch with MIME, {(batching ? "$value in $batch of 20" : "one $value per message")}",
                string.Create(CultureInfo.InvariantCulture,
                    $"{last.Items} messages, {last.HttpRequests} HTTP requests ({last.ServerRequests} Graph requests counted by the server), peak {last.PeakPerMailbox} per mailbox, {last.Violations} Retry-After violations, {seconds:0.00} s (median of {Runs})"),
                last.MimeBytes / 1048576.0 / seconds, last.Allocated,
                batching ? string.Create(CultureInfo.InvariantCulture, $"{baseline / seconds:0.00}x the speed of one $value each") : "baseline");
        }).ToList();
    }

    private static async Task<Run> SyncWithMimeAsync(ExchangeSimulator sim, HttpMessageHandler handler, IAccessTokenSource tokens, string mailbox,
        bool batching)
    {
        var options = new GraphClientOptions(GraphEndpoint.Custom(sim.BaseUri)) { UseJsonBatching = batching };
        using var client = new GraphClient(options, tokens, handler);
        var session = new GraphMailboxProtocol(client).Open(new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
        var folders = await Task.WhenAll(session.GetWellKnownFolderAsync("inbox", default), session.GetWellKnownFolderAsync("sentitems", default));
        var before = sim.Control.Metrics.Graph;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        // Folders side by side, as the engine syncs a Graph mailbox's folders.
        var perFolder = await Task.WhenAll(folders.Select(async folder =>
        {
            var (items, bytes) = (0, 0L);
            string? state = null;
            ItemPage page;
            do
            {
                page = await session.SyncItemsAsync(folder.Id, state, includeMime: true, default);
                state = page.State;
                items += page.Upserts.Count;
                bytes += page.Upserts.Sum(u => (long)(u.Mime?.Length ?? 0));
            }
            while (!page.IsLast);
            return (items, bytes);
        }));
        clock.Stop();
        var after = sim.Control.Metrics.Graph;
        return new Run(clock.Elapsed.TotalSeconds, perFolder.Sum(f => f.items), perFolder.Sum(f => f.bytes),
            session.Requests - 2, after.Requests - before.Requests, after.RetryAfterViolations - before.RetryAfterViolations,
            after.PeakConcurrencyByMailbox.TryGetValue(mailbox, out var peak) ? peak : 0, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private static async Task<AccessToken> TokenAsync(ExchangeSimulator sim, HttpMessageHandler handler)
    {
        using var http = new HttpClient(handler, disposeHandler: false);
        using var response = await http.PostAsync(new Uri(sim.Authority + "/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = sim.ClientId, ["client_secret"] = sim.ClientSecret, ["scope"] = sim.GraphScope,
        }));
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new AccessToken(json.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddMinutes(50));
    }

    private static double Median(List<Run> runs, Func<Run, double> value)
    {
        var sorted = runs.Select(value).OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed record Run(double Seconds, int Items, long MimeBytes, int HttpRequests, long ServerRequests, long Violations, int PeakPerMailbox,
        long Allocated);
}
