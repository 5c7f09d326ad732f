using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using InboxPS.Core.Organizations;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Each call takes a pooled connection of its own, so the store can be
/// shared by parallel workers; writers that must be atomic use one transaction.
/// </summary>
public sealed partial class SqliteInboxStore : IInboxStore
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteReadOnly = 8;
    private const int SqliteCantOpen = 14;
    private const int SqlitePermission = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteAbort = 4;
    private const int SqliteNoMemory = 7;
    private const int SqliteInterrupt = 9;

    // How long a writer waits for another process's transaction before SQLite reports the file busy.
    private const int BusyTimeoutMilliseconds = 30_000;

    // One writer per database file for this process's writes. Left to SQLite's lock, a writer that finds the file busy
    // is retried by Microsoft.Data.Sqlite after a 150 ms sleep, which parallel sync workers hit on most transactions.
    private static readonly ConcurrentDictionary<string, GroupCommit> s_commits = new(StringComparer.Ordinal);

    // The SQLite handles OpenConnection has configured (a handle outlives its SqliteConnection in the pool).
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> s_configured = new();
    private static readonly object s_configuredMark = new();

    private readonly string _connectionString;
    private readonly GroupCommit _commits;

    private SqliteInboxStore(string path)
    {
        Location = path;
        _commits = s_commits.GetOrAdd(path, _ => new GroupCommit());
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
            ForeignKeys = true,
        }.ToString();
    }

    public string Location { get; }

    /// <summary>Opens (creating or upgrading as needed) the store at <paramref name="path"/>, or the default location.</summary>
    /// <exception cref="StoreException">The folder is not writable, the file is not a store, or its schema is newer.</exception>
    public static SqliteInboxStore Open(string? path = null)
    {
        path = Path.GetFullPath(path ?? StoreLocation.DefaultDatabasePath());
        NativeSqlite.EnsureInitialized();
        CreateFolder(path);

        // SQLite would quietly turn an empty file into a new, empty store: a copy or restore that went wrong would then
        // look like a store that lost every organization. Say so instead, and leave the file as it is.
        if (File.Exists(path) && new FileInfo(path).Length == 0)
        {
            throw new StoreException("StoreEmpty", InboxErrorKind.InvalidData, path,
                $"The InboxPS store '{path}' is an empty file (0 bytes): it holds no organizations, roster or items.",
                "Restore the store from a backup, or, to start over with a new store, delete the empty file and run the command again.");
        }

        // After the empty-file check: a new store is created here, empty and owner-only, before SQLite writes to it.
        RestrictToOwner(path);

        var store = new SqliteInboxStore(path);
        try
        {
            store.Migrate();
            return store;
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw Explain(e, path);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public IReadOnlyList<OrganizationProfile> GetOrganizations() => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM organizations ORDER BY name";
        return ReadOrganizations(command);
    });

    public OrganizationProfile? GetOrganization(string name) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM organizations WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        var found = ReadOrganizations(command);
        return found.Count == 0 ? null : found[0];
    });

    public void SaveOrganization(OrganizationProfile profile)
    {
        var now = DateTimeOffset.UtcNow;
        if (profile.CreatedOn == default)
        {
            profile.CreatedOn = now;
        }

        profile.ModifiedOn = now;
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO organizations (name, access_type, ews_url, environment, tenant_id, client_id, authority,
                                           service_account, created_utc, modified_utc, graph_url, proxy_url, proxy_default_credentials)
                VALUES ($name, $access, $ews, $env, $tenant, $client, $authority, $account, $created, $modified, $graph, $proxy, $proxyDefault)
                ON CONFLICT (name) DO UPDATE SET
                    access_type = excluded.access_type, ews_url = excluded.ews_url, environment = excluded.environment,
                    graph_url = excluded.graph_url,
                    proxy_url = excluded.proxy_url, proxy_default_credentials = excluded.proxy_default_credentials,
                    tenant_id = excluded.tenant_id, client_id = excluded.client_id, authority = excluded.authority,
                    service_account = excluded.service_account, modified_utc = excluded.modified_utc
                """;
            command.Parameters.AddWithValue("$name", profile.Name);
            command.Parameters.AddWithValue("$access", profile.AccessType.ToString());
            command.Parameters.AddWithValue("$ews", (object?)profile.EwsUrl?.AbsoluteUri ?? DBNull.Value);
            command.Parameters.AddWithValue("$env", profile.Environment.ToString());
            command.Parameters.AddWithValue("$graph", (object?)profile.GraphUrl?.AbsoluteUri ?? DBNull.Value);
            command.Parameters.AddWithValue("$proxy", (object?)profile.Proxy?.AbsoluteUri ?? DBNull.Value);
            command.Parameters.AddWithValue("$proxyDefault", profile.ProxyUseDefaultCredentials ? 1 : 0);
            command.Parameters.AddWithValue("$tenant", (object?)profile.TenantId ?? DBNull.Value);
            command.Parameters.AddWithValue("$client", (object?)profile.ClientId ?? DBNull.Value);
            command.Parameters.AddWithValue("$authority", (object?)profile.Authority?.AbsoluteUri ?? DBNull.Value);
            command.Parameters.AddWithValue("$account", (object?)profile.ServiceAccount ?? DBNull.Value);
            command.Parameters.AddWithValue("$created", FormatTime(profile.CreatedOn));
            command.Parameters.AddWithValue("$modified", FormatTime(profile.ModifiedOn));
            command.ExecuteNonQuery();
        });
    }

    public bool RemoveOrganization(string name)
    {
        var removed = false;
        WriteRemovingContent((connection, files) =>
        {
            files.Collect(connection, "organization = $org", p => p.AddWithValue("$org", name));
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM organizations WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            removed = command.ExecuteNonQuery() > 0;
        });
        return removed;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the folder can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // A pooled connection keeps its settings from one open to the next: they are made once per SQLite handle,
            // not on every open (two more statements on each store call, most of which run one or two).
            var handle = connection.Handle!;
            if (!s_configured.TryGetValue(handle, out _))
            {
                using var pragma = connection.CreateCommand();
                // WAL + NORMAL: a commit survives a crash of the process (a killed runbook); only a power loss can undo
                // the last commits, and then a folder's items and its sync state go back together.
                // busy_timeout: waiting for another process's writer is SQLite's own short back-off, not 150 ms sleeps.
                pragma.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
                pragma.ExecuteNonQuery();
                s_configured.Add(handle, s_configuredMark);
            }

            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Explain(e, Location);
        }
    }

    /// <summary>
    /// Runs a query on a connection of its own. A damaged page is often met only here, mid-file, long after the store
    /// opened: it becomes StoreCorrupt (what to do) like every other SQLite failure, never a bare SqliteException.
    /// </summary>
    internal T Read<T>(Func<SqliteConnection, T> query)
    {
        using var connection = OpenConnection();
        try
        {
            return query(connection);
        }
        catch (SqliteException e)
        {
            throw Explain(e, Location);
        }
    }

    /// <summary>
    /// The longest one write waits for the write lock, in this process's queue and behind another process's writer
    /// together; past it the write fails with StoreBusy (which stops a sync run once) instead of waiting on.
    /// </summary>
    internal TimeSpan WriteLockTimeout { get; set; } = TimeSpan.FromMilliseconds(BusyTimeoutMilliseconds);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, turning SQLite's codes into errors an admin can act on. Writes
    /// that queue behind this process's writer share a transaction (<see cref="GroupCommit"/>), each under a savepoint
    /// of its own: one write's failure is that write's alone, and it returns only once its batch committed.
    /// </summary>
    /// <exception cref="StoreException">StoreBusy when the lock was not had within <see cref="WriteLockTimeout"/>.</exception>
    internal void Write(Action<SqliteConnection> work)
    {
        var bound = WriteLockTimeout;
        _commits.Run(new PendingWrite(work, _fence.Held, bound), CommitTogether, () => StoreBusy(Location, null, bound));
    }

    /// <summary>This process's writes to the file waiting for the writer (tests watch them queue).</summary>
    internal int QueuedWrites => _commits.Queued;

    private void CommitTogether(IReadOnlyList<PendingWrite> batch)
    {
        var writes = new List<PendingWrite>(batch.Count);
        var left = TimeSpan.MaxValue;
        foreach (var write in batch)
        {
            // What is left of a write's bound is all SQLite (and Microsoft.Data.Sqlite's own retries) may wait for
            // another process: queued writers never stack one full wait after another.
            var writeLeft = write.Left;
            if (writeLeft <= TimeSpan.Zero)
            {
                write.Fail(StoreBusy(Location, null, WriteLockTimeout));
                continue;
            }

            writes.Add(write);
            left = writeLeft < left ? writeLeft : left;
        }

        if (writes.Count == 0)
        {
            return;
        }

        try
        {
            using var connection = OpenConnection();
            connection.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(left.TotalSeconds));
            // Set on the handle (no statement to prepare), and put back after: the pooled connection's next user
            // waits the full time again.
            SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, (int)left.TotalMilliseconds);
            try
            {
                using var transaction = connection.BeginTransaction();
                foreach (var write in writes)
                {
                    RunInSavepoint(connection, write);
                }

                transaction.Commit();
            }
            finally
            {
                SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, BusyTimeoutMilliseconds);
            }
        }
        catch (Exception e) when (e is SqliteException or StoreException)
        {
            // The whole transaction is gone: every write not refused on its own gets the store's failure, each its own.
            foreach (var write in writes)
            {
                write.Fail(e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } busy
                    ? StoreBusy(Location, busy, WriteLockTimeout)
                    : e is SqliteException sqlite ? Explain(sqlite, Location) : e);
            }
        }
    }

    // A write's own failure (its mailbox taken over or off the roster, a constraint) undoes that write only; the store's
    // (locked, full, damaged) ends the whole batch.
    private void RunInSavepoint(SqliteConnection connection, PendingWrite write)
    {
        Execute(connection, "SAVEPOINT write");
        try
        {
            if (write.Claim is { } claim)
            {
                RequireClaim(connection, claim, Location);
            }

            write.Work(connection);
            Execute(connection, "RELEASE write");
        }
        catch (Exception e) when (!IsStoreWide(e))
        {
            write.Fail(e is SqliteException sqlite ? Explain(sqlite, Location) : e);
            Execute(connection, "ROLLBACK TO write; RELEASE write");
        }
    }

    private static bool IsStoreWide(Exception e) => e is SqliteException
    {
        SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteFull or SqliteIoError or SqliteCorrupt or SqliteNotADatabase
            or SqliteReadOnly or SqliteCantOpen or SqlitePermission or SqliteNoMemory or SqliteInterrupt or SqliteAbort
    };

    /// <summary>
    /// A write that removes items: <paramref name="work"/> names their .eml files (<see cref="ContentFiles.Collect"/>)
    /// in the transaction, and the files are deleted once it committed, outside the write lock. A file goes only after its
    /// row: a crash in between leaves a file no row names, never a row naming a missing file.
    /// </summary>
    internal void WriteRemovingContent(Action<SqliteConnection, ContentFiles> work)
    {
        var files = new ContentFiles();
        Write(connection => work(connection, files));
        files.Delete(Location);
    }

    private static StoreException StoreBusy(string path, Exception? inner, TimeSpan? waited = null) =>
        new("StoreBusy", InboxErrorKind.ResourceBusy, path,
            waited is { } bound
                ? $"The InboxPS store '{path}' is locked by another process: no write was possible for {bound.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s, so InboxPS stopped instead of waiting on."
                : $"The InboxPS store '{path}' is locked by another process.",
            "Let the other InboxPS run finish (or close the program holding the file open), then run the command again; what was stored so far is kept.",
            inner, SyncFault.StoreFailed);

    private void Migrate()
    {
        using var connection = OpenConnection();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets readers (Get-InboxSyncStatus) run while a sync writes.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        var version = ReadUserVersion(connection);
        if (version > StoreSchema.CurrentVersion)
        {
            throw new StoreException("StoreSchemaTooNew", InboxErrorKind.InvalidData, Location,
                $"The InboxPS store '{Location}' has schema version {version}, written by a newer InboxPS; this version understands up to {StoreSchema.CurrentVersion}.",
                $"Update the InboxPS module, or set $env:{StoreLocation.HomeVariable} to another folder to use a separate store.");
        }

        for (var next = version + 1; next <= StoreSchema.CurrentVersion; next++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = StoreSchema.Migrations[next - 1] + $"\nPRAGMA user_version = {next};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static int ReadUserVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void CreateFolder(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException("StoreFolderNotWritable", InboxErrorKind.OpenError, path,
                $"Cannot create the InboxPS data folder '{folder}': {e.Message}",
                $"Set $env:{StoreLocation.HomeVariable} to a folder you can write to, or fix the permissions of '{folder}'.", e);
        }
    }

    // The store holds mail metadata: owner-only (0600) like the token cache, created so before SQLite writes a byte, and
    // an older store's 0644 narrowed on open. SQLite gives its -wal and -shm files the database file's mode.
    private static void RestrictToOwner(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                OwnerOnlyAccess.WriteNew(path, Array.Empty<byte>());
            }
            else
            {
                OwnerOnlyAccess.Restrict(path, OwnerOnlyAccess.OwnerReadWrite);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException("StoreNotWritable", InboxErrorKind.OpenError, path,
                $"Cannot create the InboxPS store '{path}' readable by its owner only: {e.Message}",
                $"Make the file and its folder writable for this account, or set $env:{StoreLocation.HomeVariable} to a folder you can write to.", e,
                SyncFault.StoreFailed);
        }
    }

    /// <summary>
    /// An admin's reading of a SQLite failure. A store that cannot be written at all (damaged, read-only, full, locked
    /// past the wait) carries <see cref="SyncFault.StoreFailed"/>: the sync engine stops the run once instead of failing
    /// every user with the same message.
    /// </summary>
    internal static StoreException Explain(SqliteException e, string path)
    {
        switch (e.SqliteErrorCode)
        {
            case SqliteNotADatabase:
            case SqliteCorrupt:
                return new StoreException("StoreCorrupt", InboxErrorKind.InvalidData, path,
                    $"'{path}' is not a usable InboxPS store: the file is damaged or is not a SQLite database ({e.Message}).",
                    RestoreAction, e,
                    SyncFault.StoreFailed);
            case SqliteReadOnly:
            case SqliteCantOpen:
            case SqlitePermission:
                return new StoreException("StoreNotWritable", InboxErrorKind.OpenError, path,
                    $"Cannot open the InboxPS store '{path}' for writing ({e.Message}).",
                    $"Make the file and its folder writable for this account, or set $env:{StoreLocation.HomeVariable} to a folder you can write to.", e,
                    SyncFault.StoreFailed);
            case SqliteFull:
            case SqliteIoError:
                return new StoreException("StoreFull", InboxErrorKind.WriteError, path,
                    $"The InboxPS store '{path}' could not be written: the disk is full or failed ({e.Message}).",
                    "Free space on the disk that holds the store (or move it with $env:INBOXPS_HOME), then run the command again; nothing stored so far is lost.", e,
                    SyncFault.StoreFailed);
            case SqliteBusy:
            case SqliteLocked:
                return StoreBusy(path, e);
            default:
                return new StoreException("StoreError", InboxErrorKind.WriteError, path,
                    $"The InboxPS store '{path}' failed: {e.Message}",
                    "Check the disk has free space and the file is not locked by another program, then run the command again.", e);
        }
    }

    private static List<OrganizationProfile> ReadOrganizations(SqliteCommand command)
    {
        var result = new List<OrganizationProfile>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(StoreRows.Organization(reader));
        }

        return result;
    }

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);
}
