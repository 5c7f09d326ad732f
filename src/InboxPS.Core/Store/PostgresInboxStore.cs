using System;
using System.Collections.Generic;
using InboxPS.Core.Organizations;
using Npgsql;
using NpgsqlTypes;

namespace InboxPS.Core.Store;

/// <summary>
/// The shared store (issue 16): one PostgreSQL database for several workers on any machines. Same contract as
/// <see cref="SqliteInboxStore"/>: every ISyncStore method is one transaction, a page's items and its folder's sync
/// state commit together. Claims on mailboxes use the database's row locks (<c>FOR UPDATE SKIP LOCKED</c>) and its clock.
/// </summary>
public sealed partial class PostgresInboxStore : IInboxStore
{
    // Connections by connection string (Npgsql pools them per string), not NpgsqlDataSource: on netstandard2.0 its base
    // class is Npgsql's own, on .NET 8+ the runtime's, so a core built once for both cannot call it.
    private readonly string _connectionString;

    private PostgresInboxStore(PostgresConnectionSettings settings)
    {
        Location = settings.Display;
        _connectionString = settings.ConnectionString;
    }

    /// <summary>The database's address, never its password.</summary>
    public string Location { get; }

    /// <summary>Opens the store, creating or upgrading its schema as needed.</summary>
    /// <exception cref="StoreException">Unreachable, refused sign-in, or a schema newer than this module knows.</exception>
    public static PostgresInboxStore Open(PostgresConnectionSettings settings)
    {
        var store = new PostgresInboxStore(settings);
        try
        {
            store.Migrate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public IReadOnlyList<OrganizationProfile> GetOrganizations() =>
        Read("SELECT * FROM organizations ORDER BY name", StoreRows.Organization);

    public OrganizationProfile? GetOrganization(string name)
    {
        var found = Read("SELECT * FROM organizations WHERE name = @name", StoreRows.Organization, ("name", name));
        return found.Count == 0 ? null : found[0];
    }

    public void SaveOrganization(OrganizationProfile profile)
    {
        var now = DateTimeOffset.UtcNow;
        if (profile.CreatedOn == default)
        {
            profile.CreatedOn = now;
        }

        profile.ModifiedOn = now;
        Write(connection => Execute(connection, """
            INSERT INTO organizations (name, access_type, ews_url, environment, tenant_id, client_id, authority,
                                       service_account, created_utc, modified_utc, graph_url, proxy_url, proxy_default_credentials)
            VALUES (@name, @access, @ews, @env, @tenant, @client, @authority, @account, @created, @modified, @graph, @proxy, @proxyDefault)
            ON CONFLICT (name) DO UPDATE SET
                access_type = excluded.access_type, ews_url = excluded.ews_url, environment = excluded.environment,
                proxy_url = excluded.proxy_url, proxy_default_credentials = excluded.proxy_default_credentials,
                graph_url = excluded.graph_url, tenant_id = excluded.tenant_id, client_id = excluded.client_id, authority = excluded.authority,
                service_account = excluded.service_account, modified_utc = excluded.modified_utc
            """,
            ("name", profile.Name), ("access", profile.AccessType.ToString()), ("ews", profile.EwsUrl?.AbsoluteUri),
            ("env", profile.Environment.ToString()), ("tenant", profile.TenantId), ("client", profile.ClientId),
            ("authority", profile.Authority?.AbsoluteUri), ("account", profile.ServiceAccount),
            ("created", profile.CreatedOn.ToUniversalTime()), ("modified", profile.ModifiedOn.ToUniversalTime()),
            ("graph", profile.GraphUrl?.AbsoluteUri), ("proxy", profile.Proxy?.AbsoluteUri), ("proxyDefault", profile.ProxyUseDefaultCredentials)));
    }

    public bool RemoveOrganization(string name)
    {
        var removed = false;
        WriteRemovingContent((connection, files) =>
        {
            CollectFiles(connection, files, "organization = @org", ("org", name));
            removed = Execute(connection, "DELETE FROM organizations WHERE name = @name", ("name", name)) > 0;
        });
        return removed;
    }

    public void Dispose()
    {
        // Pooled connections stay open to the server; release this store's.
        using var connection = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    internal NpgsqlConnection OpenConnection()
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            connection.Dispose();
            throw Explain(e);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, turning PostgreSQL's errors into errors an admin can act on.</summary>
    internal void Write(Action<NpgsqlConnection> work)
    {
        using var connection = OpenConnection();
        try
        {
            using var transaction = connection.BeginTransaction();
            if (_fence.Held is { } claim)
            {
                RequireClaim(connection, claim);
            }

            work(connection);
            transaction.Commit();
        }
        catch (NpgsqlException e)
        {
            throw Explain(e);
        }
    }

    /// <summary>
    /// A write that removes items, as <see cref="SqliteInboxStore.WriteRemovingContent"/>: <paramref name="work"/> names
    /// their .eml files (<see cref="CollectFiles"/>) in the transaction, and they are deleted once it committed.
    /// </summary>
    internal void WriteRemovingContent(Action<NpgsqlConnection, ContentFiles> work)
    {
        var files = new ContentFiles();
        Write(connection => work(connection, files));
        files.Delete(Location);
    }

    /// <summary>Names the .eml files of the items <paramref name="where"/> selects, before they are deleted.</summary>
    internal static void CollectFiles(NpgsqlConnection connection, ContentFiles files, string where,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, ContentFiles.SelectPaths + where, parameters);
        files.Collect(command);
    }

    internal List<T> Read<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        try
        {
            using var command = Command(connection, sql, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }

            return rows;
        }
        catch (NpgsqlException e)
        {
            throw Explain(e);
        }
    }

    internal static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value is null
                ? new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = DBNull.Value }
                : new NpgsqlParameter(name, value));
        }

        return command;
    }

    internal static int Execute(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private void Migrate()
    {
        Write(connection =>
        {
            // Workers that start together: the first migrates, the others wait here and find the schema current.
            Execute(connection, "SELECT pg_advisory_xact_lock(hashtext('inboxps.schema'))");
            Execute(connection, "CREATE TABLE IF NOT EXISTS inboxps_schema (version integer NOT NULL)");
            using (var read = Command(connection, "SELECT max(version) FROM inboxps_schema"))
            {
                var version = read.ExecuteScalar() is int stored ? stored : 0;
                if (version > PostgresSchema.CurrentVersion)
                {
                    throw new StoreException("StoreSchemaTooNew", InboxErrorKind.InvalidData, Location,
                        $"The InboxPS store '{Location}' has schema version {version}, written by a newer InboxPS; this version understands up to {PostgresSchema.CurrentVersion}.",
                        "Update the InboxPS module on this worker (every worker sharing a store runs the same version), or point this worker at another database.");
                }

                for (var next = version + 1; next <= PostgresSchema.CurrentVersion; next++)
                {
                    Execute(connection, PostgresSchema.Migrations[next - 1]);
                }

                if (version < PostgresSchema.CurrentVersion)
                {
                    Execute(connection, "DELETE FROM inboxps_schema; INSERT INTO inboxps_schema (version) VALUES (@version)",
                        ("version", PostgresSchema.CurrentVersion));
                }
            }
        });
    }

    /// <summary>
    /// An admin's reading of a PostgreSQL failure. As in <see cref="SqliteInboxStore.Explain"/>, a store that cannot be
    /// written at all (unreachable, refused, read-only, full, damaged, locked) carries <see cref="SyncFault.StoreFailed"/>:
    /// the sync engine stops the run once instead of failing every user with the same message.
    /// </summary>
    private StoreException Explain(Exception e)
    {
        // PostgreSQL's and Npgsql's messages name hosts, roles and databases, never the password.
        var server = e as PostgresException;
        var state = server?.SqlState ?? "";
        var text = server?.MessageText ?? e.Message;
        var (id, kind, message, action, fault) = state switch
        {
            "28P01" or "28000" => ("StorePostgresSignInFailed", InboxErrorKind.AuthenticationError,
                $"PostgreSQL refused the sign-in to the InboxPS store '{Location}': {text}",
                "Check the user name and the password (the credential, or $env:INBOXPS_STORE_PASSWORD) and the server's pg_hba.conf rule for this client.",
                SyncFault.StoreFailed),
            "3D000" => ("StorePostgresDatabaseNotFound", InboxErrorKind.NotFound,
                $"The database of the InboxPS store '{Location}' does not exist: {text}",
                "Create the database first (CREATE DATABASE ... OWNER ...); InboxPS creates and upgrades its tables inside it.",
                SyncFault.StoreFailed),
            // Class 53 (insufficient resources: disk full, out of memory) and 58 (system and I/O errors).
            _ when state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("58", StringComparison.Ordinal) => ("StoreFull", InboxErrorKind.WriteError,
                $"The InboxPS store '{Location}' could not be written: the server is out of space or resources, or its disk failed: {text} ({state})",
                "Free space on the database server (or ask its administrator), then run the command again; nothing stored so far is lost.",
                SyncFault.StoreFailed),
            // A read-only transaction (a standby, or default_transaction_read_only) or a user without the right to write.
            "25006" or "42501" => ("StoreNotWritable", InboxErrorKind.OpenError,
                $"The InboxPS store '{Location}' cannot be written: {text} ({state})",
                "Point the worker at the primary server (not a read-only standby) and grant its user the right to write the InboxPS tables, then run the command again.",
                SyncFault.StoreFailed),
            // Damaged data or index pages.
            "XX001" or "XX002" => ("StoreCorrupt", InboxErrorKind.InvalidData,
                $"The InboxPS store '{Location}' is damaged: {text} ({state})",
                "Ask the database administrator to repair the database or restore it from a backup, then run the command again.",
                SyncFault.StoreFailed),
            // lock_not_available (a lock_timeout or NOWAIT): another worker holds what this write needs.
            "55P03" => ("StoreBusy", InboxErrorKind.ResourceBusy,
                $"The InboxPS store '{Location}' is locked by another process: {text}",
                "Let the other InboxPS run finish (or end the session holding the lock), then run the command again; what was stored so far is kept.",
                SyncFault.StoreFailed),
            _ when server is not null => ("StoreError", InboxErrorKind.WriteError,
                $"The InboxPS store '{Location}' failed: {text} ({state})",
                "Check the database user may create and write tables in its schema, then run the command again.",
                SyncFault.None),
            _ => ("StorePostgresUnreachable", InboxErrorKind.ConnectionError,
                $"Cannot reach the InboxPS store '{Location}': {text}",
                "Check the host, port and firewall rule for this worker, and that the server is running; then run the command again.",
                SyncFault.StoreFailed),
        };
        return new StoreException(id, kind, Location, message, action, e, fault);
    }
}
