using System;
using System.Data.Common;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// The first run after a switch of access type: an item a page brings under a new id is the same message as one kept
/// from the old protocol when their Internet message ids match, so that row takes the new id (and keeps its .eml file
/// unless a new one was written) instead of a second row being added. Runs inside the page's transaction, over ADO.NET's
/// common types with '@' parameters, which both SQLite and PostgreSQL take.
/// </summary>
internal sealed class RebaselineMatcher : IDisposable
{
    private const string Mailbox = "organization = @org AND mailbox = @mailbox";

    private readonly DbCommand _find;
    private readonly DbCommand _takeOver;
    private readonly DbParameter _messageId;
    private readonly DbParameter _keptId;
    private readonly DbParameter _newId;

    private RebaselineMatcher(DbConnection connection, string organization, string mailbox, string folderId)
    {
        _find = Command(connection, $"SELECT item_id, mime_path FROM items WHERE {Mailbox} AND folder_id = @awaiting AND internet_message_id = @messageId LIMIT 1",
            organization, mailbox);
        _messageId = Parameter(_find, "messageId", null);
        _takeOver = Command(connection, $"UPDATE items SET item_id = @newId, folder_id = @folder WHERE {Mailbox} AND item_id = @keptId",
            organization, mailbox);
        Parameter(_takeOver, "folder", folderId);
        _keptId = Parameter(_takeOver, "keptId", null);
        _newId = Parameter(_takeOver, "newId", null);
    }

    /// <summary>A matcher when the user has kept items awaiting a match; null (nothing to do) otherwise.</summary>
    public static RebaselineMatcher? IfAwaiting(DbConnection connection, string organization, string mailbox, string folderId)
    {
        using var any = Command(connection, $"SELECT 1 FROM items WHERE {Mailbox} AND folder_id = @awaiting LIMIT 1", organization, mailbox);
        return any.ExecuteScalar() is null ? null : new RebaselineMatcher(connection, organization, mailbox, folderId);
    }

    /// <summary>True when a kept item became <paramref name="item"/>'s row (the caller's upsert then updates it).</summary>
    public bool TakeOver(MailItem item, string? mimePath, ContentFiles files)
    {
        if (item.InternetMessageId is null)
        {
            return false;
        }

        _messageId.Value = item.InternetMessageId;
        string keptId;
        string? keptPath;
        using (var reader = _find.ExecuteReader())
        {
            if (!reader.Read())
            {
                return false;
            }

            keptId = reader.GetString(0);
            keptPath = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        _keptId.Value = keptId;
        _newId.Value = item.Id;
        _takeOver.ExecuteNonQuery();

        // A new .eml file replaces the kept one (named after the old id): one file per item, never two.
        if (mimePath is not null)
        {
            files.Replaced(keptPath, mimePath);
        }

        return true;
    }

    public void Dispose()
    {
        _find.Dispose();
        _takeOver.Dispose();
    }

    private static DbCommand Command(DbConnection connection, string sql, string organization, string mailbox)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Parameter(command, "org", organization);
        Parameter(command, "mailbox", mailbox);
        if (sql.Contains("@awaiting"))
        {
            Parameter(command, "awaiting", StoreRows.AwaitingRebaseline);
        }

        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, string? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = System.Data.DbType.String;
        parameter.Value = (object?)value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
