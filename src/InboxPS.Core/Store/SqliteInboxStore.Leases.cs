using System;
using System.Collections.Generic;
using System.Globalization;
using InboxPS.Core.Sync;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

// Claims and run records in the embedded store. SQLite has one writer at a time (this process's write gate, and the
// file lock between processes on one machine), so a claim is a read and an upsert in one write transaction.
public sealed partial class SqliteInboxStore
{
    private readonly ClaimFence _fence = new();

    /// <summary>One machine's store: a run is its own round unless INBOXPS_ROUND_MINUTES says otherwise.</summary>
    public TimeSpan DefaultRoundWindow => TimeSpan.Zero;

    public SyncRun StartRun(string organization, string worker, TimeSpan? roundWindow = null)
    {
        var token = LeaseRow.NewRunToken();
        var started = DateTimeOffset.UtcNow;
        var round = started;
        long id = 0;
        Write(connection =>
        {
            // The round: the earliest one begun within the window, or this run's own.
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO sync_runs (organization, worker, token, started_utc, round_started_utc)
                VALUES ($org, $worker, $token, $now, COALESCE((
                    SELECT min(round_started_utc) FROM sync_runs
                    WHERE organization = $org AND round_started_utc > $windowStart), $now));
                SELECT round_started_utc, id FROM sync_runs WHERE id = last_insert_rowid();
                """;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$worker", worker);
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$now", FormatTime(started));
            command.Parameters.AddWithValue("$windowStart", FormatTime(started - (roundWindow ?? DefaultRoundWindow)));
            using var reader = command.ExecuteReader();
            reader.Read();
            round = StoreRows.Time(reader, "round_started_utc")!.Value;
            id = reader.GetInt64(1);
        });
        return new SyncRun(id, organization, worker, token, started, round);
    }

    public IDisposable FenceWrites(MailboxClaim claim) => _fence.Enter(claim);

    // In the write's transaction: SQLite has one writer at a time, so nothing can take the mailbox over before the commit.
    private static void RequireClaim(SqliteConnection connection, MailboxClaim claim, string location)
    {
        LeaseRow? row = null;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT holder_token, holder, expires_utc, finished_token, finished_by, finished_utc
                FROM mailbox_leases WHERE organization = $org AND mailbox = $mailbox
                """;
            command.Parameters.AddWithValue("$org", claim.Run.Organization);
            command.Parameters.AddWithValue("$mailbox", claim.Mailbox);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                row = StoreRows.Lease(reader);
            }
        }

        if (ClaimFence.Refusal(location, claim, row) is { } refusal)
        {
            throw refusal;
        }
    }

    public void FinishRun(SyncRun run, SyncRunTotals totals)
    {
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE sync_runs SET ended_utc = $now, users = $users, synced = $synced, failed = $failed,
                    skipped = $skipped, items = $items, throttled_ms = $throttled,
                    items_added = $added, items_updated = $updated, items_deleted = $deleted, result = $result
                WHERE id = $id
                """;
            command.Parameters.AddWithValue("$added", totals.ItemsAdded);
            command.Parameters.AddWithValue("$updated", totals.ItemsUpdated);
            command.Parameters.AddWithValue("$deleted", totals.ItemsDeleted);
            command.Parameters.AddWithValue("$result", totals.Result);
            command.Parameters.AddWithValue("$id", run.Id);
            command.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
            command.Parameters.AddWithValue("$users", totals.Users);
            command.Parameters.AddWithValue("$synced", totals.Synced);
            command.Parameters.AddWithValue("$failed", totals.Failed);
            command.Parameters.AddWithValue("$skipped", totals.Skipped);
            command.Parameters.AddWithValue("$items", totals.Items);
            command.Parameters.AddWithValue("$throttled", (long)totals.Throttled.TotalMilliseconds);
            command.ExecuteNonQuery();
        });
    }

    public MailboxClaim TryClaim(SyncRun run, string mailbox, TimeSpan duration)
    {
        MailboxClaim? claim = null;
        Write(connection =>
        {
            var now = DateTimeOffset.UtcNow;
            using (var read = connection.CreateCommand())
            {
                read.CommandText = """
                    SELECT holder_token, holder, expires_utc, finished_token, finished_by, finished_utc
                    FROM mailbox_leases WHERE organization = $org AND mailbox = $mailbox
                    """;
                read.Parameters.AddWithValue("$org", run.Organization);
                read.Parameters.AddWithValue("$mailbox", mailbox);
                using var reader = read.ExecuteReader();
                if (reader.Read())
                {
                    claim = StoreRows.Lease(reader).Refusal(run, mailbox, now);
                }
            }

            if (claim is not null)
            {
                return;
            }

            using var write = connection.CreateCommand();
            write.CommandText = """
                INSERT INTO mailbox_leases (organization, mailbox, holder_token, holder, expires_utc)
                VALUES ($org, $mailbox, $token, $worker, $expires)
                ON CONFLICT (organization, mailbox) DO UPDATE SET
                    holder_token = excluded.holder_token, holder = excluded.holder, expires_utc = excluded.expires_utc
                """;
            write.Parameters.AddWithValue("$org", run.Organization);
            write.Parameters.AddWithValue("$mailbox", mailbox);
            write.Parameters.AddWithValue("$token", run.Token);
            write.Parameters.AddWithValue("$worker", run.Worker);
            write.Parameters.AddWithValue("$expires", FormatTime(now + duration));
            write.ExecuteNonQuery();
            claim = MailboxClaim.Grant(run, mailbox);
        });
        return claim!;
    }

    public bool Renew(MailboxClaim claim, TimeSpan duration)
    {
        var renewed = false;
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE mailbox_leases SET expires_utc = $expires
                WHERE organization = $org AND mailbox = $mailbox AND holder_token = $token
                """;
            command.Parameters.AddWithValue("$org", claim.Run.Organization);
            command.Parameters.AddWithValue("$mailbox", claim.Mailbox);
            command.Parameters.AddWithValue("$token", claim.Run.Token);
            command.Parameters.AddWithValue("$expires", FormatTime(DateTimeOffset.UtcNow + duration));
            renewed = command.ExecuteNonQuery() == 1;
        });
        return renewed;
    }

    public void Release(MailboxClaim claim, bool finished)
    {
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = finished
                ? """
                  UPDATE mailbox_leases SET holder_token = NULL, holder = NULL, expires_utc = NULL,
                      finished_token = $token, finished_by = $worker, finished_utc = $now
                  WHERE organization = $org AND mailbox = $mailbox AND holder_token = $token;
                  UPDATE roster SET last_worker = $worker WHERE organization = $org AND mailbox = $mailbox;
                  """
                : """
                  UPDATE mailbox_leases SET holder_token = NULL, holder = NULL, expires_utc = NULL
                  WHERE organization = $org AND mailbox = $mailbox AND holder_token = $token;
                  """;
            command.Parameters.AddWithValue("$org", claim.Run.Organization);
            command.Parameters.AddWithValue("$mailbox", claim.Mailbox);
            command.Parameters.AddWithValue("$token", claim.Run.Token);
            command.Parameters.AddWithValue("$worker", claim.Run.Worker);
            command.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
            command.ExecuteNonQuery();
        });
    }

    public IReadOnlyList<SyncRunRecord> GetRuns(string? organization, int limit) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT r.*, {StoreRows.ShownRunResult("$now")} FROM sync_runs r
            WHERE ($org IS NULL OR organization = $org) ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
        command.Parameters.AddWithValue("$org", (object?)organization ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var runs = new List<SyncRunRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            runs.Add(StoreRows.Run(reader));
        }

        return runs;
    });
}
