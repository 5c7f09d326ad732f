using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

/// <summary>
/// The .eml files of items a store write removes: named inside the transaction, deleted after it committed. Their
/// folders (one per mail folder, one per mailbox, below -ContentPath) go too once they are empty. Shared by both stores:
/// each names the files with its own SQL (<see cref="Collect(DbCommand)"/>), the deleting is the same.
/// </summary>
internal sealed class ContentFiles
{
    private readonly List<string> _paths = new();

    /// <summary>Remembers the files of the items <paramref name="where"/> selects (before they are deleted).</summary>
    public void Collect(SqliteConnection connection, string where, Action<SqliteParameterCollection> bind)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SelectPaths + where;
        bind(command.Parameters);
        Collect(command);
    }

    /// <summary>The start of the query that names the files: the caller appends its WHERE condition.</summary>
    public const string SelectPaths = "SELECT mime_path FROM items WHERE mime_path IS NOT NULL AND ";

    /// <summary>
    /// Remembers an updated item's stored file unless the update wrote it again: a new file elsewhere replaces it, and
    /// an update without a new file leaves it stale (the message changed after it was written), so it goes too.
    /// </summary>
    public void Replaced(string? storedPath, string? newPath)
    {
        if (storedPath is not null && !string.Equals(storedPath, newPath, StringComparison.Ordinal))
        {
            _paths.Add(storedPath);
        }
    }

    /// <summary>Remembers the files <paramref name="select"/> names (its first column), before their rows are deleted.</summary>
    public void Collect(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            _paths.Add(reader.GetString(0));
        }
    }

    /// <exception cref="StoreException">ContentFileNotRemoved: the rows are gone, some files could not be deleted.</exception>
    public void Delete(string store)
    {
        if (_paths.Count == 0)
        {
            return;
        }

        var folders = new HashSet<string>(StringComparer.Ordinal);
        Exception? failure = null;
        var failed = 0;
        foreach (var path in _paths)
        {
            try
            {
                File.Delete(path);
                var folder = Path.GetDirectoryName(path);
                if (folder is not null)
                {
                    folders.Add(folder);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure ??= e;
                failed++;
            }
        }

        // The mail folder's folder, then the mailbox's folder, when nothing is left in them; never -ContentPath itself.
        foreach (var folder in folders)
        {
            if (RemoveIfEmpty(folder) && Path.GetDirectoryName(folder) is { } mailbox)
            {
                RemoveIfEmpty(mailbox);
            }
        }

        if (failure is not null)
        {
            throw new StoreException("ContentFileNotRemoved", InboxErrorKind.WriteError, store,
                $"{failed} .eml file(s) of removed items could not be deleted (first: {failure.Message}); the store no longer lists them.",
                "Check the permissions of the -ContentPath folder and delete the files named in the error by hand.", failure);
        }
    }

    private static bool RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && Directory.GetFileSystemEntries(folder).Length == 0)
            {
                Directory.Delete(folder);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another run wrote into it meanwhile, or it is not ours to remove: leave it.
        }

        return false;
    }
}
