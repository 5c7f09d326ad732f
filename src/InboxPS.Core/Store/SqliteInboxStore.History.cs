using System;
using System.Collections.Generic;
using InboxPS.Core.Sync;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

// Run history, statistics and item reads in the embedded store, over the SQL both stores share (HistorySql).
public sealed partial class SqliteInboxStore
{
    public void DescribeRun(SyncRun run, SyncRunContext context, TimeSpan aliveFor) =>
        Write(connection => Execute(connection, HistorySql.DescribeRun, ("id", run.Id), ("by", context.StartedBy),
            ("machine", context.Machine), ("parameters", context.Parameters), ("alive", FormatTime(DateTimeOffset.UtcNow + aliveFor))));

    public void RecordMailboxRun(SyncRun run, MailboxRunRecord record, TimeSpan aliveFor)
    {
        var now = DateTimeOffset.UtcNow;
        var parameters = new List<(string Name, object? Value)>(HistorySql.MailboxRunParameters(run, record))
        {
            ("now", FormatTime(now)), ("alive", FormatTime(now + aliveFor)),
        };
        Write(connection =>
        {
            Execute(connection, HistorySql.InsertMailboxRun, parameters.ToArray());
            Execute(connection, StoreRows.PruneMailboxRuns("@", HistorySql.MailboxRunsKept), parameters.ToArray());
            Execute(connection, HistorySql.RunAlive, parameters.ToArray());
        });
    }

    public IReadOnlyList<MailboxRunRecord> GetMailboxRuns(string organization, string mailbox, int limit, bool failuresOnly = false) =>
        new List<MailboxRunRecord>(Stream(HistorySql.MailboxRuns(failuresOnly), StoreRows.MailboxRun,
            ("org", organization), ("mailbox", mailbox), ("limit", limit)));

    public IEnumerable<MailboxRunRecord> GetRunMailboxes(string organization, long? runId) =>
        Stream(HistorySql.RunMailboxes(runId is not null), StoreRows.MailboxRun, ("org", organization), ("run", runId));

    public IReadOnlyList<FolderStatistics> GetFolderStatistics(string organization, string mailbox) =>
        new List<FolderStatistics>(Stream(HistorySql.FolderStatistics, StoreRows.FolderStatistics,
            ("org", organization), ("mailbox", mailbox)));

    public IEnumerable<StoredItem> ReadItems(ItemQuery query)
    {
        var (sql, parameters) = HistorySql.Items(query, "LIKE", time => FormatTime(time));
        return Stream(sql, StoreRows.StoredItem, parameters.ToArray());
    }

    // Rows read one at a time from one reader on its own connection, released when the caller stops enumerating.
    private IEnumerable<T> Stream<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        BindNamed(command, parameters);
        using var reader = Explained(() => command.ExecuteReader());
        while (Explained(reader.Read))
        {
            yield return map(reader);
        }
    }

    private T Explained<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SqliteException e)
        {
            throw Explain(e, Location);
        }
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        BindNamed(command, parameters);
        command.ExecuteNonQuery();
    }

    private static void BindNamed(SqliteCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (command.CommandText.Contains("@" + name))
            {
                command.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
            }
        }
    }
}
