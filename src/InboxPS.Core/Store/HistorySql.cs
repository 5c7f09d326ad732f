using System;
using System.Collections.Generic;
using System.Text;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// The SQL of the statistics, item and run-history reads, once for both stores: @ parameter marks (which SQLite takes
/// too), and a WHERE built only from the filters given, so no untyped NULL parameter reaches PostgreSQL.
/// </summary>
internal static class HistorySql
{
    /// <summary>How many of each mailbox's newest run records are kept: its last run and its error history.</summary>
    public const int MailboxRunsKept = 20;

    public const string InsertMailboxRun = """
        INSERT INTO mailbox_runs (run_id, organization, mailbox, worker, status, ended_utc, duration_ms, calls, throttled_ms,
                                  items_added, items_updated, items_deleted, items_skipped, error_id, message, recommended_action)
        VALUES (@run, @org, @mailbox, @worker, @status, @now, @duration, @calls, @throttled,
                @added, @updated, @deleted, @skipped, @errorId, @message, @action)
        """;

    public const string DescribeRun = """
        UPDATE sync_runs SET started_by = @by, machine = @machine, parameters = @parameters, alive_until_utc = @alive
        WHERE id = @id
        """;

    /// <summary>Disable-InboxSync -RemoveData: the user's run history goes with the rest of their data.</summary>
    public const string ForgetMailboxRuns = "DELETE FROM mailbox_runs WHERE organization = @org AND mailbox = @mailbox";

    public const string RunAlive = "UPDATE sync_runs SET alive_until_utc = @alive WHERE id = @run";

    public const string FolderStatistics = """
        SELECT f.folder_id, f.display_name, f.well_known_name, f.selected,
               (SELECT count(*) FROM items i WHERE i.organization = f.organization AND i.mailbox = f.mailbox AND i.folder_id = f.folder_id) AS item_count,
               (SELECT coalesce(sum(i.size), 0) FROM items i WHERE i.organization = f.organization AND i.mailbox = f.mailbox AND i.folder_id = f.folder_id) AS item_size,
               (SELECT count(*) FROM items i WHERE i.organization = f.organization AND i.mailbox = f.mailbox AND i.folder_id = f.folder_id AND NOT i.is_read) AS unread_count,
               (SELECT count(*) FROM skipped_items s WHERE s.organization = f.organization AND s.mailbox = f.mailbox AND s.folder_id = f.folder_id) AS skipped_count
        FROM folders f WHERE f.organization = @org AND f.mailbox = @mailbox
        ORDER BY f.display_name, f.folder_id
        """;

    public static string MailboxRuns(bool failuresOnly) => $"""
        SELECT * FROM mailbox_runs WHERE organization = @org AND mailbox = @mailbox
        {(failuresOnly ? "AND error_id IS NOT NULL" : string.Empty)}
        ORDER BY id DESC LIMIT @limit
        """;

    /// <summary>A run's mailbox records, or each mailbox's newest (no @run), in the order they ended.</summary>
    public static string RunMailboxes(bool oneRun) => oneRun
        ? "SELECT * FROM mailbox_runs WHERE run_id = @run AND organization = @org ORDER BY id"
        : """
          SELECT m.* FROM mailbox_runs m
          WHERE m.organization = @org
            AND m.id = (SELECT max(n.id) FROM mailbox_runs n WHERE n.organization = m.organization AND n.mailbox = m.mailbox)
          ORDER BY m.id
          """;

    /// <summary>
    /// The item query's SQL and parameters. <paramref name="like"/> is the case-insensitive LIKE of the store;
    /// <paramref name="time"/> turns a time into the store's parameter value.
    /// </summary>
    public static (string Sql, List<(string Name, object? Value)> Parameters) Items(ItemQuery query, string like,
        Func<DateTimeOffset, object> time)
    {
        var sql = new StringBuilder("""
            SELECT i.*, f.display_name AS folder_name FROM items i
            LEFT JOIN folders f ON f.organization = i.organization AND f.mailbox = i.mailbox AND f.folder_id = i.folder_id
            WHERE i.organization = @org
            """);
        var parameters = new List<(string Name, object? Value)> { ("org", query.Organization) };

        void Add(string condition, string name, object value)
        {
            sql.Append("\n  AND ").Append(condition);
            parameters.Add((name, value));
        }

        var escape = $" ESCAPE '{ItemQuery.LikeEscape}'";
        if (query.Mailbox is { } mailbox)
        {
            Add("i.mailbox = @mailbox", "mailbox", mailbox);
        }

        if (ItemQuery.ToLike(query.Folder) is { } folder)
        {
            Add($"(f.display_name {like} @folder{escape} OR f.well_known_name {like} @folder{escape})", "folder", folder);
        }

        if (query.ReceivedAfter is { } after)
        {
            Add("i.received_utc >= @after", "after", time(after));
        }

        if (query.ReceivedBefore is { } before)
        {
            Add("i.received_utc < @before", "before", time(before));
        }

        if (ItemQuery.ToLike(query.Sender) is { } sender)
        {
            Add($"i.sender {like} @sender{escape}", "sender", sender);
        }

        if (ItemQuery.ToLike(query.Subject) is { } subject)
        {
            Add($"i.subject {like} @subject{escape}", "subject", subject);
        }

        if (query.IsRead is { } isRead)
        {
            Add("i.is_read = @isRead", "isRead", isRead);
        }

        sql.Append("\nORDER BY i.mailbox, i.folder_id, i.received_utc, i.item_id");
        return (sql.ToString(), parameters);
    }

    /// <summary>The parameters of one mailbox run record (with @run, @now added by the store).</summary>
    public static (string Name, object? Value)[] MailboxRunParameters(SyncRun run, MailboxRunRecord record) => new (string, object?)[]
    {
        ("run", run.Id), ("org", run.Organization), ("mailbox", record.Mailbox), ("worker", run.Worker),
        ("status", record.Status), ("duration", (long)record.Duration.TotalMilliseconds), ("calls", record.Calls),
        ("throttled", (long)record.Throttled.TotalMilliseconds), ("added", record.ItemsAdded),
        ("updated", record.ItemsUpdated), ("deleted", record.ItemsDeleted), ("skipped", record.ItemsSkipped),
        ("errorId", record.ErrorId), ("message", record.Message), ("action", record.RecommendedAction),
    };
}
