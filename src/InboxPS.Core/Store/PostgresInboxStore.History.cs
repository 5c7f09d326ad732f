using System;
using System.Collections.Generic;
using InboxPS.Core.Sync;
using Npgsql;

namespace InboxPS.Core.Store;

// Run history, statistics and item reads in the shared store, over the SQL both stores share (HistorySql); times are
// the database's clock where the store writes them.
public sealed partial class PostgresInboxStore
{
    public void DescribeRun(SyncRun run, SyncRunContext context, TimeSpan aliveFor) =>
        Write(connection => Execute(connection, HistorySql.DescribeRun.Replace("@alive", "now() + @aliveFor"),
            ("id", run.Id), ("by", context.StartedBy), ("machine", context.Machine), ("parameters", context.Parameters),
            ("aliveFor", aliveFor)));

    public void RecordMailboxRun(SyncRun run, MailboxRunRecord record, TimeSpan aliveFor)
    {
        var parameters = new List<(string Name, object? Value)>(HistorySql.MailboxRunParameters(run, record)) { ("aliveFor", aliveFor) };
        Write(connection =>
        {
            Execute(connection, HistorySql.InsertMailboxRun.Replace("@now", "now()"), Typed(parameters, HistorySql.InsertMailboxRun));
            var prune = StoreRows.PruneMailboxRuns("@", HistorySql.MailboxRunsKept);
            Execute(connection, prune, Typed(parameters, prune));
            var alive = HistorySql.RunAlive.Replace("@alive", "now() + @aliveFor");
            Execute(connection, alive, Typed(parameters, alive));
        });
    }

    public IReadOnlyList<MailboxRunRecord> GetMailboxRuns(string organization, string mailbox, int limit, bool failuresOnly = false) =>
        Read(HistorySql.MailboxRuns(failuresOnly), StoreRows.MailboxRun, ("org", organization), ("mailbox", mailbox), ("limit", limit));

    public IEnumerable<MailboxRunRecord> GetRunMailboxes(string organization, long? runId) =>
        runId is { } run
            ? Stream(HistorySql.RunMailboxes(oneRun: true), StoreRows.MailboxRun, ("org", organization), ("run", run))
            : Stream(HistorySql.RunMailboxes(oneRun: false), StoreRows.MailboxRun, ("org", organization));

    public IReadOnlyList<FolderStatistics> GetFolderStatistics(string organization, string mailbox) =>
        Read(HistorySql.FolderStatistics, StoreRows.FolderStatistics, ("org", organization), ("mailbox", mailbox));

    public IEnumerable<StoredItem> ReadItems(ItemQuery query)
    {
        var (sql, parameters) = HistorySql.Items(query, "ILIKE", time => time.ToUniversalTime());
        return Stream(sql, StoreRows.StoredItem, parameters.ToArray());
    }

    // Only the parameters the statement names: PostgreSQL refuses none, but a NULL it cannot type is an error.
    private static (string Name, object? Value)[] Typed(List<(string Name, object? Value)> parameters, string sql) =>
        parameters.FindAll(p => sql.Contains("@" + p.Name)).ToArray();

    // Rows read one at a time from one reader on its own connection, released when the caller stops enumerating.
    private IEnumerable<T> Stream<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, sql, parameters);
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
        catch (NpgsqlException e)
        {
            throw Explain(e);
        }
    }
}
