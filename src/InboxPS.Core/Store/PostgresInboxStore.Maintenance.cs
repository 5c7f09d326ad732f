using System;
using Npgsql;

namespace InboxPS.Core.Store;

// Test-InboxStore and Backup-InboxStore for the shared store: PostgreSQL checks its own pages, and pg_dump backs it up.
public sealed partial class PostgresInboxStore
{
    /// <summary>Connects and reads the schema version, without creating or upgrading anything.</summary>
    public static StoreCheckResult Check(PostgresConnectionSettings settings)
    {
        var store = new PostgresInboxStore(settings);
        try
        {
            using var connection = store.OpenConnection();
            using var exists = Command(connection, "SELECT to_regclass('inboxps_schema') IS NOT NULL");
            if (exists.ExecuteScalar() is not true)
            {
                return Verdict(settings, StoreCheckResult.Missing, null, "The database has no InboxPS tables yet.",
                    "Nothing to check: InboxPS creates its tables at the first command that uses the store.");
            }

            using var read = Command(connection, "SELECT max(version) FROM inboxps_schema");
            var version = read.ExecuteScalar() is int stored ? stored : 0;
            return version > PostgresSchema.CurrentVersion
                ? Verdict(settings, StoreCheckResult.SchemaTooNew, version,
                    $"Schema version {version} was written by a newer InboxPS; this version understands up to {PostgresSchema.CurrentVersion}.",
                    "Update the InboxPS module on this worker (every worker sharing a store runs the same version).")
                : Verdict(settings, StoreCheckResult.Healthy, version, null, null);
        }
        catch (StoreException e)
        {
            return Verdict(settings, e.ErrorId == "StoreCorrupt" ? StoreCheckResult.Damaged : StoreCheckResult.Unreachable, null, e.Message, e.RecommendedAction);
        }
        catch (NpgsqlException e)
        {
            var explained = store.Explain(e);
            return Verdict(settings, StoreCheckResult.Unreachable, null, explained.Message, explained.RecommendedAction);
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>InboxPS does not copy a shared database: the server's own tool does, consistently and while workers run.</summary>
    public static StoreException BackupNotSupported(PostgresConnectionSettings settings) =>
        new("StoreBackupUsePgDump", InboxErrorKind.InvalidOperation, settings.Display,
            $"Backup-InboxStore copies SQLite stores only; the store '{settings.Display}' is a PostgreSQL database.",
            $"Back it up with PostgreSQL's own tools, e.g. pg_dump --format=custom --file inboxps.dump \"{settings.Display}\" (it takes a consistent copy while workers run), or the server's regular backup.");

    private static StoreCheckResult Verdict(PostgresConnectionSettings settings, string verdict, int? version, string? problem, string? action) =>
        new("PostgreSQL", settings.Display, verdict, version, PostgresSchema.CurrentVersion,
            problem is null ? Array.Empty<string>() : new[] { problem }, action);
}
