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

/// <summary>
/// Writes that queue behind this process's writer share its next transaction (Store/GroupCommit), each under a
/// savepoint: they return only once committed, and one write's failure is its own.
/// </summary>
public sealed class StoreGroupCommitTests
{
    [Fact]
    public void WritesQueuedBehindTheWriterAreCommittedTogetherInItsNextTransaction()
    {
        using var temp = new TempDirectory();
        using var store = SqliteInboxStore.Open(temp.Combine("inboxps.db"));
        var connections = new System.Collections.Concurrent.ConcurrentBag<(int Writer, object Connection)>();

        QueueBehindAHeldWrite(store,
            connection =>
            {
                connections.Add((0, connection));
                Insert(connection, "org0");
            },
            Enumerable.Range(1, 3).Select(i => (Action)(() => store.Write(connection =>
            {
                connections.Add((i, connection));
                Insert(connection, $"org{i}");
            }))).ToArray());

        Assert.Equal(new[] { "org0", "org1", "org2", "org3" }, store.GetOrganizations().Select(o => o.Name));
        var byWriter = connections.ToDictionary(c => c.Writer, c => c.Connection);
        Assert.NotSame(byWriter[0], byWriter[1]);
        Assert.Same(byWriter[1], byWriter[2]);
        Assert.Same(byWriter[1], byWriter[3]);
    }

    [Fact]
    public void AWriteThatFailsInABatchIsUndoneAloneAndOnlyItsCallerHearsOfIt()
    {
        using var temp = new TempDirectory();
        using var store = SqliteInboxStore.Open(temp.Combine("inboxps.db"));
        var outcomes = new Exception?[3];

        QueueBehindAHeldWrite(store, _ => { }, Enumerable.Range(0, 3).Select(i => (Action)(() =>
        {
            try
            {
                store.Write(connection =>
                {
                    Insert(connection, $"org{i}");
                    if (i == 1)
                    {
                        throw new InvalidOperationException("writer 1 fails after its insert");
                    }
                });
            }
            catch (Exception e)
            {
                outcomes[i] = e;
            }
        })).ToArray());

        Assert.Null(outcomes[0]);
        Assert.Equal("writer 1 fails after its insert", Assert.IsType<InvalidOperationException>(outcomes[1]).Message);
        Assert.Null(outcomes[2]);
        Assert.Equal(new[] { "org0", "org2" }, store.GetOrganizations().Select(o => o.Name));
    }

    // Runs each of queued on a thread of its own while a first write holds the writer, which finishes with first once
    // they have all queued; returns when every write is done.
    private static void QueueBehindAHeldWrite(SqliteInboxStore store, Action<Microsoft.Data.Sqlite.SqliteConnection> first, Action[] queued)
    {
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() => store.Write(connection =>
        {
            holding.Set();
            release.Wait();
            first(connection);
        }));
        holder.Start();
        Assert.True(holding.Wait(TimeSpan.FromSeconds(10)));
        var threads = queued.Select(write => new Thread(() => write())).ToArray();
        Array.ForEach(threads, t => t.Start());

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (store.QueuedWrites < queued.Length)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the writes did not queue within 10 s");
            Thread.Sleep(5);
        }

        release.Set();
        holder.Join();
        Array.ForEach(threads, t => t.Join());
    }

    private static void Insert(Microsoft.Data.Sqlite.SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO organizations (name, access_type, environment, created_utc, modified_utc) VALUES ($name, 'OAuthAppOnly', 'Global', '2026-01-01', '2026-01-01')";
        command.Parameters.AddWithValue("$name", name);
        command.ExecuteNonQuery();
    }
}
