using System.Text.RegularExpressions;
using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Sync;
using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Stats;

/// <summary>
/// Issue 18 against the simulator over real HTTPS with real MSAL and a real SQLite store: after runs with broken users,
/// injected changes and a corrupt item, the statistics equal the ground truth per folder, the item reads return exactly
/// the server's items and filter correctly, exported .eml files are byte-equal to the server's MIME, and the HTML
/// report, rendered in headless Chromium, shows the statistics' figures.
/// </summary>
public sealed class StatisticsEndToEndTests : IClassFixture<SyncTenant>
{
    private readonly SyncTenant _tenant;

    public StatisticsEndToEndTests(SyncTenant tenant) => _tenant = tenant;

    private ExchangeSimulator Simulator => _tenant.Simulator;

    private sealed record Scenario(SyncTenant.Org Org, string User, string Plain, IReadOnlyList<string> Broken, string Corrupt);

    // Two runs of two good users (one with -IncludeMime) and two broken ones; between them creates, updates, deletes,
    // read flags and a corrupt item in the first user's inbox. A third user is synced without MIME. Each test has users
    // of its own (from <paramref name="firstUser"/>): the tests share the simulator.
    private async Task<Scenario> RunScenarioAsync(int firstUser)
    {
        var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[firstUser];
        var plain = _tenant.Users[firstUser + 1];
        var broken = Simulator.Control.ListUsers().Where(u => u.Broken is "OutOfScope" or "NoLicense").Select(u => u.PrimarySmtpAddress).ToList();
        var mime = new SyncOptions { ThrottleLimit = 4, IncludeMime = true, ContentPath = org.ContentPath };
        await org.RecordedSyncAsync(broken.Append(user), mime);
        var changes = Simulator.Control.InjectChanges(user, "inbox", creates: 4, updates: 2, deletes: 3, readFlagChanges: 3);
        Simulator.Control.BreakItem(changes.Created[0]);
        await org.RecordedSyncAsync(broken.Append(user), mime);
        await org.RecordedSyncAsync(new[] { plain });
        return new Scenario(org, user, plain, broken, changes.Created[0]);
    }

    [Fact]
    public async Task Statistics_items_and_exports_equal_the_server_after_runs_with_broken_users_and_injected_changes()
    {
        var (org, user, plain, broken, corrupt) = await RunScenarioAsync(firstUser: 2);
        using var _ = org;
        var profile = org.Store.GetOrganization(org.Name)!;

        // Statistics per folder = ground truth (the corrupt item is skipped, with its reason, not stored).
        var stats = SyncStatistics.For(org.Store, profile, org.Store.GetRosterEntry(org.Name, user)!);
        foreach (var folder in new[] { "inbox", "sentitems" })
        {
            var truth = Simulator.Control.GetItems(user, folder).Where(i => i.ItemId != corrupt).ToList();
            var stored = stats.Folders.Single(f => string.Equals(f.WellKnownName, folder, StringComparison.OrdinalIgnoreCase));
            Assert.Equal((truth.Count, truth.Count(i => !i.IsRead)), (stored.Items, stored.Unread));
            Assert.True(stored.Size > 0);
        }

        Assert.Equal((RosterStatus.Synced, 1, 1), (stats.Status, stats.SkippedItems, stats.Attempts));
        Assert.Contains("ErrorItemCorrupt", Assert.Single(stats.Skipped).Reason);
        Assert.Equal((3, 3), (stats.LastItemsAdded, stats.LastItemsDeleted));
        Assert.True(stats.LastCalls > 2 && stats.LastDuration > TimeSpan.Zero);
        Assert.Equal(("OAuthAppOnly", true), (stats.AccessType, stats.Worker is not null));
        Assert.Empty(stats.Failures);
        foreach (var failing in broken)
        {
            var failed = SyncStatistics.For(org.Store, profile, org.Store.GetRosterEntry(org.Name, failing)!);
            Assert.Equal((RosterStatus.Failed, 2, 2), (failed.Status, failed.Attempts, failed.Failures.Count));
            Assert.All(failed.Failures, f => Assert.False(string.IsNullOrEmpty(f.ErrorId) || string.IsNullOrEmpty(f.RecommendedAction)));
        }

        // The items: exactly the server's, and each filter selects what it says.
        var all = org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user }).ToList();
        var server = new[] { "inbox", "sentitems" }.SelectMany(f => Simulator.Control.GetItems(user, f)).Where(i => i.ItemId != corrupt).ToList();
        Assert.Equal(server.Select(i => i.ItemId).Order(), all.Select(i => i.ItemId).Order());
        Assert.Equal(Simulator.Control.GetItems(user, "inbox").Where(i => i.ItemId != corrupt).Select(i => i.ItemId).Order(),
            org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user, Folder = "inbox" }).Select(i => i.ItemId).Order());
        Assert.Equal(server.Where(i => !i.IsRead).Select(i => i.ItemId).Order(),
            org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user, IsRead = false }).Select(i => i.ItemId).Order());
        var tail = server[0].Subject!.Substring(1);
        Assert.Equal(server.Where(i => i.Subject!.EndsWith(tail, StringComparison.OrdinalIgnoreCase)).Select(i => i.ItemId).Order(),
            org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user, Subject = "*" + tail.ToUpperInvariant() }).Select(i => i.ItemId).Order());
        var middle = all.Select(i => i.Received!.Value).Order().ElementAt(all.Count / 2);
        Assert.Equal(all.Where(i => i.Received >= middle).Select(i => i.ItemId).Order(),
            org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user, ReceivedAfter = middle }).Select(i => i.ItemId).Order());
        var sender = all[0].Sender!;
        Assert.Equal(all.Where(i => i.Sender == sender).Select(i => i.ItemId).Order(),
            org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user, Sender = sender }).Select(i => i.ItemId).Order());

        // Export: saved files copied, the rest (the user synced without -IncludeMime) fetched by id; every file the
        // server's MIME byte for byte, below <mailbox>/<folder display name>/.
        var destination = Path.Combine(org.ContentPath, "..", "export");
        var exporter = new ItemExporter(org.Store, new OrganizationConnections(org.Connections, org.Store), destination);
        var sources = new List<ExportSource>();
        foreach (var item in all.Concat(org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = plain })))
        {
            var exported = await exporter.ExportAsync(item, CancellationToken.None);
            Assert.Equal(Simulator.Control.GetItemMime(item.ItemId), File.ReadAllBytes(exported.Path));
            Assert.Equal(Path.Combine(Path.GetFullPath(destination), item.Mailbox.ToLowerInvariant(), item.Folder!), Path.GetDirectoryName(Path.GetFullPath(exported.Path)));
            sources.Add(exported.Source);
        }

        Assert.Equal(new[] { ExportSource.Copied, ExportSource.Fetched }, sources.Distinct().Order());

        // The run records: who, where, how, items by kind, how each ended.
        var runs = org.Store.GetRuns(org.Name, 10);
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal((SyncRunEnd.Completed, Environment.MachineName, "-Test"), (r.Result, r.Machine, r.Parameters)));
        Assert.Equal((3, 1, 2), (runs[1].Users, runs[1].Synced, runs[1].Failed));
        Assert.Equal((3L, 3L), (runs[1].ItemsAdded, runs[1].ItemsDeleted));
    }

    [ChromiumFact]
    public async Task The_html_report_renders_in_chromium_with_the_statistics_figures()
    {
        var (org, user, _, broken, _) = await RunScenarioAsync(firstUser: 4);
        using var _org = org;
        var profile = org.Store.GetOrganization(org.Name)!;
        var report = SyncReport.Read(org.Store, profile, runId: null);
        var artifacts = Chromium.ArtifactFolder();
        var path = Path.Combine(artifacts, "sync-report.html");
        SyncReportHtml.WriteFile(report, path);

        // Nothing is loaded from anywhere: no external script, style, font or image.
        var html = File.ReadAllText(path);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase), html);

        var dom = Chromium.DumpDom(path, "?q=" + Uri.EscapeDataString(user));
        Chromium.Screenshot(path, Path.Combine(artifacts, "sync-report.png"));
        Assert.True(File.Exists(Path.Combine(artifacts, "sync-report.png")));

        // The script ran (the search filtered the table to the one user named in ?q=).
        Assert.Contains("data-ready=\"true\"", dom);
        Assert.Matches($"id=\"shown\">1 of {report.Users.Count}<", dom);

        // Totals, the per-user table and the chart carry the statistics' figures.
        var statistics = org.Store.GetRoster(org.Name, activeOnly: false)
            .Select(e => SyncStatistics.For(org.Store, profile, e)).ToList();
        Assert.Equal(statistics.Count.ToString(), Attribute(dom, "data-total=\"users\" data-value"));
        Assert.Equal(statistics.Sum(s => (long)s.Items).ToString(), Attribute(dom, "data-total=\"items\" data-value"));
        Assert.Equal(broken.Count.ToString(), Attribute(dom, "data-total=\"failed\" data-value"));
        foreach (var s in statistics)
        {
            var row = Regex.Match(dom, $"<tr class=\"user\" data-mailbox=\"{Regex.Escape(s.Mailbox)}\" data-items=\"(\\d+)\" data-size=\"(\\d+)\" data-skipped=\"(\\d+)\"");
            Assert.True(row.Success, $"{s.Mailbox} has a row in the rendered table");
            Assert.Equal((s.Items.ToString(), s.Size.ToString(), s.SkippedItems.ToString()), (row.Groups[1].Value, row.Groups[2].Value, row.Groups[3].Value));
        }

        var bars = Regex.Matches(dom, "<rect class=\"bar\"[^>]* data-mailboxes=\"(\\d+)\"");
        Assert.NotEmpty(bars);
        Assert.Equal(report.MailboxRuns.Count, bars.Sum(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal(statistics.Count, report.MailboxRuns.Count);
        var failures = Regex.Matches(dom, "<tr class=\"failure\" data-error=\"([^\"]+)\" data-users=\"(\\d+)\"");
        Assert.Equal(broken.Count, failures.Sum(m => int.Parse(m.Groups[2].Value)));
    }

    private static string Attribute(string dom, string prefix)
    {
        var match = Regex.Match(dom, Regex.Escape(prefix) + "=\"([^\"]*)\"");
        Assert.True(match.Success, $"the rendered report has {prefix}");
        return match.Groups[1].Value;
    }
}
