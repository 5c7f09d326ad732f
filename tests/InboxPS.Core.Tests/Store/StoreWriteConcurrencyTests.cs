using System.Globalization;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Store;

/// <summary>
/// Parallel sync workers write to one store file. This process's writers queue on an in-process gate, and a writer of
/// another process is waited for by SQLite's busy handler, so no writer falls back to Microsoft.Data.Sqlite's 150 ms
/// busy sleeps (the speed itself is measured by build.ps1 -Task Bench, not here).
/// </summary>
public sealed class StoreWriteConcurrencyTests
{
    [Fact]
    public void ConnectionsWaitForOtherProcessesThroughSqliteBusyTimeout()
    {
        using var temp = new TempDirectory();
        using var store = SqliteInboxStore.Open(temp.Combine("inboxps.db"));
        using var connection = store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";

        Assert.Equal(30_000L, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void PooledConnectionsKeepTheirSettingsAfterWritesSetTheirOwnWait()
    {
        // The settings are made once per SQLite handle, and a write's shorter busy wait is put back after it: every
        // open of a pooled connection still has synchronous = NORMAL and the full busy wait.
        using var temp = new TempDirectory();
        using var store = SqliteInboxStore.Open(temp.Combine("inboxps.db"));
        for (var i = 0; i < 3; i++)
        {
            store.SaveOrganization(new OrganizationProfile($"org{i}"));
            using var connection = store.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal(30_000L, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void ParallelWritersThroughSeveralStoreInstancesAllCommit()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        var stores = Enumerable.Range(0, 2).Select(_ => SqliteInboxStore.Open(path)).ToArray();
        try
        {
            Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                stores[i % stores.Length].SaveOrganization(new OrganizationProfile($"org{i:00}")
                {
                    AccessType = AccessType.OAuthAppOnly,
                    EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx"),
                }));

            Assert.Equal(
                Enumerable.Range(0, 64).Select(i => $"org{i:00}"),
                stores[1].GetOrganizations().Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public void WritersQueuedBehindAnotherProcesssLockWaitOneBoundTogetherAndSaySo()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        using var store = SqliteInboxStore.Open(path);
        store.WriteLockTimeout = TimeSpan.FromSeconds(1);

        // Another process's writer: its own connection holding the write lock.
        using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }

        var timer = System.Diagnostics.Stopwatch.StartNew();
        var errors = new System.Collections.Concurrent.ConcurrentBag<StoreException>();
        // Threads of their own: four workers queued at once, as parallel sync workers are.
        var writers = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            errors.Add(Assert.Throws<StoreException>(() => store.SaveOrganization(new OrganizationProfile($"org{i}")))))).ToArray();
        Array.ForEach(writers, w => w.Start());
        Array.ForEach(writers, w => w.Join());
        timer.Stop();

        // Four writers each waiting its own full bound one after another would take 4 s.
        Assert.InRange(timer.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));
        Assert.Equal(4, errors.Count);
        Assert.All(errors, e => Assert.Equal(("StoreBusy", SyncFault.StoreFailed), (e.ErrorId, e.Fault)));
        Assert.All(errors, e => Assert.Contains("locked by another process", e.Message));
    }
}
