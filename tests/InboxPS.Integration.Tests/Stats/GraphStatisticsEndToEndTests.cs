using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Sync;
using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Stats;

/// <summary>
/// Issue 18 over Graph (GraphAppOnly) against the simulator, real MSAL, real HTTPS and real SQLite: after a run with
/// -IncludeMime and a later run without it over injected changes, the statistics equal the ground truth per folder and
/// Export-InboxItem's files equal the server's MIME byte for byte: untouched items copied from their sync-time files,
/// new and changed ones read on demand through Graph's $value (a changed item's old file is stale, so it is gone).
/// </summary>
public sealed class GraphStatisticsEndToEndTests : IClassFixture<GraphTenant>
{
    private readonly GraphTenant _tenant;

    public GraphStatisticsEndToEndTests(GraphTenant tenant) => _tenant = tenant;

    private ExchangeSimulator Simulator => _tenant.Simulator;

    [Fact]
    public async Task Graph_statistics_equal_the_truth_per_folder_and_exports_equal_the_servers_mime()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[1];
        var control = Simulator.Control;
        Assert.Equal(SyncStatus.Synced, (await org.SyncAsync(new[] { user },
            new SyncOptions { ThrottleLimit = 4, IncludeMime = true, ContentPath = org.ContentPath })).For(user).Status);
        var savedAtFirst = org.Stored(user).Items.ToDictionary(i => i.Key, i => i.Value.MimePath);
        var changes = control.InjectChanges(user, "inbox", creates: 3, updates: 2, deletes: 2, readFlagChanges: 2);
        Assert.Equal(SyncStatus.Synced, (await org.SyncAsync(new[] { user })).For(user).Status);
        org.AssertMatchesTruth(user);

        // Statistics per folder = ground truth. Graph gives no message size unless asked (RequestMessageSize), so 0.
        var profile = org.Store.GetOrganization(org.Name)!;
        var stats = SyncStatistics.For(org.Store, profile, org.Store.GetRosterEntry(org.Name, user)!);
        foreach (var folder in new[] { "inbox", "sentitems" })
        {
            var truth = control.GetItems(user, folder);
            var stored = stats.Folders.Single(f => string.Equals(f.WellKnownName, folder, StringComparison.OrdinalIgnoreCase));
            Assert.Equal((truth.Count, truth.Count(i => !i.IsRead), 0L), (stored.Items, stored.Unread, stored.Size));
        }

        Assert.Equal(new[] { "inbox", "sentitems" }.Sum(f => control.GetItems(user, f).Count), stats.Items);

        // Export: every file is the server's MIME; untouched items are copied, new and updated ones fetched over Graph.
        var ewsIds = new[] { "inbox", "sentitems" }.SelectMany(f => control.GetItems(user, f))
            .ToDictionary(i => control.GraphItemId(i.ItemId, immutable: true), i => i.ItemId, StringComparer.Ordinal);
        var touched = changes.Created.Concat(changes.Updated).Concat(changes.ReadFlagChanged).ToHashSet(StringComparer.Ordinal);
        var destination = Path.Combine(org.ContentPath, "..", "export");
        var exporter = new ItemExporter(org.Store, org.Connections, destination);
        var items = org.Store.ReadItems(new ItemQuery(org.Name) { Mailbox = user }).ToList();
        Assert.Equal(ewsIds.Count, items.Count);
        foreach (var item in items)
        {
            var ewsId = ewsIds[item.ItemId];
            var exported = await exporter.ExportAsync(item, CancellationToken.None);
            Assert.Equal(control.GetItemMime(ewsId), File.ReadAllBytes(exported.Path));
            Assert.Equal(Path.Combine(Path.GetFullPath(destination), user.ToLowerInvariant(), item.Folder!),
                Path.GetDirectoryName(Path.GetFullPath(exported.Path)));
            if (changes.Created.Contains(ewsId) || changes.Updated.Contains(ewsId))
            {
                Assert.Equal(ExportSource.Fetched, exported.Source);
            }
            else if (!touched.Contains(ewsId))
            {
                Assert.Equal(ExportSource.Copied, exported.Source);
            }
        }

        // The updated items' files of the first run are gone with their stored paths; the on-demand copies equal $value.
        foreach (var updated in changes.Updated)
        {
            var graphId = control.GraphItemId(updated, immutable: true);
            Assert.False(File.Exists(savedAtFirst[graphId]), savedAtFirst[graphId]);
            Assert.Null(org.Stored(user).Items[graphId].MimePath);
            Assert.Equal(control.GetItemMime(updated), await org.ServerMimeAsync(user, graphId));
        }
    }
}
