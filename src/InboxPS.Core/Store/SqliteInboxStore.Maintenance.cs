using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

// What an admin runs against the file itself (Test-InboxStore, Backup-InboxStore): neither creates nor upgrades a store.
public sealed partial class SqliteInboxStore
{
    internal const string RestoreAction =
        "Restore the store from a backup (Backup-InboxStore makes one) by copying it over this file while no InboxPS command runs, " +
        "or move the file aside and run the command again to start a new store (organizations are then set up and connected again, and every user syncs again from the start). " +
        "Test-InboxStore shows what is damaged.";

    /// <summary>
    /// Reads the file at <paramref name="path"/> without changing it: its schema version and SQLite's
    /// <c>PRAGMA integrity_check</c> over every page.
    /// </summary>
    public static StoreCheckResult Check(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            return Verdict(path, StoreCheckResult.Missing, null, new[] { "The file does not exist." },
                "Nothing to check: InboxPS creates the store at the first command that uses it. Check the path or $env:" + StoreLocation.HomeVariable + ".");
        }

        var size = new FileInfo(path).Length;
        if (size == 0)
        {
            return Verdict(path, StoreCheckResult.Empty, null, new[] { "The file is empty (0 bytes)." },
                "Restore the store from a backup, or, to start over with a new store, delete the empty file.", size);
        }

        NativeSqlite.EnsureInitialized();
        int? version = null;
        var problems = new List<string>();
        try
        {
            using var connection = new SqliteConnection(ReadOnlyConnectionString(path));
            connection.Open();
            version = ReadUserVersion(connection);
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            using var reader = check.ExecuteReader();
            while (reader.Read())
            {
                var line = reader.GetString(0);
                if (!string.Equals(line, "ok", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add(line);
                }
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            problems.Add(e.Message);
        }
        catch (SqliteException e)
        {
            return Verdict(path, StoreCheckResult.Unreachable, version, new[] { e.Message },
                "Make the file readable for this account (and let any program holding it locked finish), then check again.", size);
        }

        if (problems.Count > 0)
        {
            return Verdict(path, StoreCheckResult.Damaged, version, problems, RestoreAction, size);
        }

        if (version > StoreSchema.CurrentVersion)
        {
            return Verdict(path, StoreCheckResult.SchemaTooNew, version,
                new[] { $"Schema version {version} was written by a newer InboxPS; this version understands up to {StoreSchema.CurrentVersion}." },
                "Update the InboxPS module, or use another store.", size);
        }

        return Verdict(path, StoreCheckResult.Healthy, version, Array.Empty<string>(), null, size);
    }

    /// <summary>
    /// Copies the store at <paramref name="path"/> to <paramref name="destination"/> with SQLite's online backup API, so a
    /// sync may run meanwhile: the copy is one consistent state. The copy is readable by its owner only.
    /// </summary>
    /// <exception cref="StoreException">
    /// StoreBackupTargetExists (without <paramref name="overwrite"/>), StoreBackupSameFile, StoreEmpty, or the store's
    /// or target's failure.
    /// </exception>
    public static FileInfo Backup(string path, string destination, bool overwrite)
    {
        path = Path.GetFullPath(path);
        destination = Path.GetFullPath(destination);
        if (string.Equals(path, destination, StringComparison.Ordinal))
        {
            throw new StoreException("StoreBackupSameFile", InboxErrorKind.InvalidArgument, destination,
                $"The backup would overwrite the store itself ('{path}').", "Give -Path a file outside the store, e.g. inboxps-backup.db in another folder.");
        }

        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            throw new StoreException("StoreBackupNothingToCopy", InboxErrorKind.NotFound, path,
                $"There is no InboxPS store to back up at '{path}' (the file is missing or empty).",
                $"Check $env:{StoreLocation.HomeVariable} (or Get-InboxStore) names the store you mean.");
        }

        if (File.Exists(destination))
        {
            if (!overwrite)
            {
                throw new StoreException("StoreBackupTargetExists", InboxErrorKind.InvalidArgument, destination,
                    $"'{destination}' already exists; the backup did not overwrite it.", "Give another -Path, or add -Force to replace the file.");
            }

            File.Delete(destination);
        }

        NativeSqlite.EnsureInitialized();
        try
        {
            OwnerOnlyAccess.WriteNew(destination, Array.Empty<byte>());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException("StoreBackupNotWritable", InboxErrorKind.WriteError, destination,
                $"Cannot create the backup file '{destination}': {e.Message}", "Give -Path a file in a folder this account can write to.", e);
        }

        try
        {
            using var source = new SqliteConnection(ReadOnlyConnectionString(path));
            using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
            source.Open();
            target.Open();
            source.BackupDatabase(target);
        }
        catch (SqliteException e)
        {
            File.Delete(destination);
            throw Explain(e, path);
        }

        return new FileInfo(destination);
    }

    private static string ReadOnlyConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();

    private static StoreCheckResult Verdict(string path, string verdict, int? version, IReadOnlyList<string> problems,
        string? action, long? size = null) =>
        new("SQLite", path, verdict, version, StoreSchema.CurrentVersion, problems, action, size);
}
