using System;
using System.Collections.Generic;
using InboxPS.Core.Sync;
using Npgsql;

namespace InboxPS.Core.Store;

// Claims between workers with the database's own machinery: a mailbox's lease row is locked FOR UPDATE SKIP LOCKED
// while a worker decides, so two workers asking at once never wait on each other and never both win; expiry and
// "finished in this round" are judged on the database's clock, so the workers' clocks need not agree.
public sealed partial class PostgresInboxStore
{
    private readonly ClaimFence _fence = new();

    /// <summary>Workers of one schedule start within minutes of each other (a queued runbook job, a restarted worker).</summary>
    public TimeSpan DefaultRoundWindow => TimeSpan.FromMinutes(10);

    public SyncRun StartRun(string organization, string worker, TimeSpan? roundWindow = null)
    {
        var token = LeaseRow.NewRunToken();
        // The round: the earliest one begun within the window, or this run's own.
        var row = Read("""
            INSERT INTO sync_runs (organization, worker, token, started_utc, round_started_utc)
            VALUES (@org, @worker, @token, now(), COALESCE((
                SELECT min(round_started_utc) FROM sync_runs
                WHERE organization = @org AND round_started_utc > now() - @window), now()))
            RETURNING id, started_utc, round_started_utc
            """, reader => (Id: reader.GetInt64(0), Started: StoreRows.Time(reader, "started_utc")!.Value,
                Round: StoreRows.Time(reader, "round_started_utc")!.Value),
            ("org", organization), ("worker", worker), ("token", token), ("window", roundWindow ?? DefaultRoundWindow))[0];
        return new SyncRun(row.Id, organization, worker, token, row.Started, row.Round);
    }

    public IDisposable FenceWrites(MailboxClaim claim) => _fence.Enter(claim);

    // In the write's transaction, the lease row locked (FOR SHARE) until the commit: a worker taking the mailbox over
    // waits for nothing (SKIP LOCKED) and finds the row busy, so a page is never stored after the takeover.
    private void RequireClaim(NpgsqlConnection connection, MailboxClaim claim)
    {
        LeaseRow? row = null;
        using (var command = Command(connection, """
                   SELECT holder_token, holder, expires_utc, finished_token, finished_by, finished_utc
                   FROM mailbox_leases WHERE organization = @org AND mailbox = @mailbox
                   FOR SHARE
                   """, ("org", claim.Run.Organization), ("mailbox", claim.Mailbox)))
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                row = StoreRows.Lease(reader);
            }
        }

        if (ClaimFence.Refusal(Location, claim, row) is { } refusal)
        {
            throw refusal;
        }
    }

    public void FinishRun(SyncRun run, SyncRunTotals totals) =>
        Write(connection => Execute(connection, """
            UPDATE sync_runs SET ended_utc = now(), users = @users, synced = @synced, failed = @failed,
                skipped = @skipped, items = @items, throttled_ms = @throttled,
                items_added = @added, items_updated = @updated, items_deleted = @deleted, result = @result
            WHERE id = @id
            """, ("id", run.Id), ("users", totals.Users), ("synced", totals.Synced), ("failed", totals.Failed),
            ("skipped", totals.Skipped), ("items", totals.Items), ("throttled", (long)totals.Throttled.TotalMilliseconds),
            ("added", totals.ItemsAdded), ("updated", totals.ItemsUpdated), ("deleted", totals.ItemsDeleted), ("result", totals.Result)));

    public MailboxClaim TryClaim(SyncRun run, string mailbox, TimeSpan duration)
    {
        MailboxClaim? claim = null;
        Write(connection =>
        {
            using (var read = Command(connection, """
                       SELECT holder_token, holder, expires_utc, finished_token, finished_by, finished_utc, now() AS now_utc
                       FROM mailbox_leases WHERE organization = @org AND mailbox = @mailbox
                       FOR UPDATE SKIP LOCKED
                       """, ("org", run.Organization), ("mailbox", mailbox)))
            using (var reader = read.ExecuteReader())
            {
                if (reader.Read())
                {
                    claim = StoreRows.Lease(reader).Refusal(run, mailbox, StoreRows.Time(reader, "now_utc")!.Value) ??
                            MailboxClaim.Grant(run, mailbox);
                }
            }

            if (claim is { Granted: false })
            {
                return;
            }

            if (claim is null)
            {
                // No row we could lock: there is none yet (insert it, which locks it for us), or another worker holds
                // its lock this very moment (the insert finds the row and does nothing: that worker is taking it).
                var inserted = Execute(connection, """
                    INSERT INTO mailbox_leases (organization, mailbox, holder_token, holder, expires_utc)
                    VALUES (@org, @mailbox, @token, @worker, now() + @duration)
                    ON CONFLICT (organization, mailbox) DO NOTHING
                    """, ("org", run.Organization), ("mailbox", mailbox), ("token", run.Token), ("worker", run.Worker),
                    ("duration", duration));
                claim = inserted == 1 ? MailboxClaim.Grant(run, mailbox) : MailboxClaim.Busy(run, mailbox);
                return;
            }

            Execute(connection, """
                UPDATE mailbox_leases SET holder_token = @token, holder = @worker, expires_utc = now() + @duration
                WHERE organization = @org AND mailbox = @mailbox
                """, ("org", run.Organization), ("mailbox", mailbox), ("token", run.Token), ("worker", run.Worker),
                ("duration", duration));
        });
        return claim!;
    }

    public bool Renew(MailboxClaim claim, TimeSpan duration)
    {
        var renewed = false;
        Write(connection => renewed = Execute(connection, """
            UPDATE mailbox_leases SET expires_utc = now() + @duration
            WHERE organization = @org AND mailbox = @mailbox AND holder_token = @token
            """, ("org", claim.Run.Organization), ("mailbox", claim.Mailbox), ("token", claim.Run.Token), ("duration", duration)) == 1);
        return renewed;
    }

    public void Release(MailboxClaim claim, bool finished) =>
        Write(connection => Execute(connection, finished
                ? """
                  UPDATE mailbox_leases SET holder_token = NULL, holder = NULL, expires_utc = NULL,
                      finished_token = @token, finished_by = @worker, finished_utc = now()
                  WHERE organization = @org AND mailbox = @mailbox AND holder_token = @token;
                  UPDATE roster SET last_worker = @worker WHERE organization = @org AND mailbox = @mailbox;
                  """
                : """
                  UPDATE mailbox_leases SET holder_token = NULL, holder = NULL, expires_utc = NULL
                  WHERE organization = @org AND mailbox = @mailbox AND holder_token = @token;
                  """,
            ("org", claim.Run.Organization), ("mailbox", claim.Mailbox), ("token", claim.Run.Token), ("worker", claim.Run.Worker)));

    public IReadOnlyList<SyncRunRecord> GetRuns(string? organization, int limit) =>
        Read($"SELECT r.*, {StoreRows.ShownRunResult("now()")} FROM sync_runs r WHERE (@org::text IS NULL OR organization = @org) ORDER BY id DESC LIMIT @limit",
            StoreRows.Run, ("org", organization), ("limit", limit));
}
