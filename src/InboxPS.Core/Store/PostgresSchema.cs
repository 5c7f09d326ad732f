namespace InboxPS.Core.Store;

/// <summary>
/// The PostgreSQL store's schema as an ordered list of migrations, versioned like <see cref="StoreSchema"/>: migration N
/// brings a database from version N-1 to N (kept in inboxps_schema), all pending ones in one transaction under an
/// advisory lock, so workers that start together migrate once. A shipped migration is never edited, only followed.
/// Names compare case-insensitively as in SQLite (COLLATE NOCASE) through a nondeterministic ICU collation.
/// </summary>
internal static class PostgresSchema
{
    public static readonly string[] Migrations =
    {
        // 1: organizations, roster, folders and items, as SQLite's migrations 1 and 2 (no secrets anywhere).
        """
        CREATE COLLATION inboxps_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
        CREATE TABLE organizations (
            name            text COLLATE inboxps_nocase NOT NULL PRIMARY KEY,
            access_type     text NOT NULL,
            ews_url         text NULL,
            environment     text NOT NULL,
            tenant_id       text NULL,
            client_id       text NULL,
            authority       text NULL,
            service_account text NULL,
            created_utc     timestamptz NOT NULL,
            modified_utc    timestamptz NOT NULL
        );
        CREATE TABLE roster (
            organization       text COLLATE inboxps_nocase NOT NULL REFERENCES organizations (name) ON DELETE CASCADE,
            mailbox            text COLLATE inboxps_nocase NOT NULL,
            address_kind       text NOT NULL DEFAULT 'SmtpAddress',
            active             boolean NOT NULL DEFAULT true,
            status             text NOT NULL,
            activated_utc      timestamptz NOT NULL,
            last_attempt_utc   timestamptz NULL,
            last_success_utc   timestamptz NULL,
            last_error_id      text NULL,
            last_error         text NULL,
            recommended_action text NULL,
            hierarchy_state    text NULL,
            folder_count       integer NOT NULL DEFAULT 0,
            item_count         integer NOT NULL DEFAULT 0,
            PRIMARY KEY (organization, mailbox)
        );
        CREATE TABLE folders (
            organization     text COLLATE inboxps_nocase NOT NULL,
            mailbox          text COLLATE inboxps_nocase NOT NULL,
            folder_id        text NOT NULL,
            parent_folder_id text NULL,
            display_name     text NULL,
            folder_class     text NULL,
            well_known_name  text NULL,
            selected         boolean NOT NULL DEFAULT false,
            sync_state       text NULL,
            synced_utc       timestamptz NULL,
            PRIMARY KEY (organization, mailbox, folder_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE TABLE items (
            organization        text COLLATE inboxps_nocase NOT NULL,
            mailbox             text COLLATE inboxps_nocase NOT NULL,
            item_id             text NOT NULL,
            folder_id           text NOT NULL,
            change_key          text NULL,
            item_class          text NULL,
            internet_message_id text NULL,
            conversation_id     text NULL,
            subject             text NULL,
            sender              text NULL,
            to_recipients       text NULL,
            cc_recipients       text NULL,
            sent_utc            timestamptz NULL,
            received_utc        timestamptz NULL,
            size                bigint NULL,
            is_read             boolean NULL,
            has_attachments     boolean NULL,
            mime_path           text NULL,
            updated_utc         timestamptz NOT NULL,
            PRIMARY KEY (organization, mailbox, item_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE INDEX items_by_folder ON items (organization, mailbox, folder_id);
        """,

        // 2 (issue 16): several workers. Claims on mailboxes (a row per mailbox ever claimed, locked with SKIP LOCKED
        // while a worker decides), one run record per worker run, and the worker that synced a user last.
        """
        ALTER TABLE roster ADD COLUMN last_worker text NULL;
        CREATE TABLE mailbox_leases (
            organization   text COLLATE inboxps_nocase NOT NULL REFERENCES organizations (name) ON DELETE CASCADE,
            mailbox        text COLLATE inboxps_nocase NOT NULL,
            holder_token   text NULL,
            holder         text NULL,
            expires_utc    timestamptz NULL,
            finished_token text NULL,
            finished_by    text NULL,
            finished_utc   timestamptz NULL,
            PRIMARY KEY (organization, mailbox)
        );
        CREATE TABLE sync_runs (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            organization text COLLATE inboxps_nocase NOT NULL REFERENCES organizations (name) ON DELETE CASCADE,
            worker       text NOT NULL,
            token        text NOT NULL,
            started_utc  timestamptz NOT NULL,
            ended_utc    timestamptz NULL,
            users        integer NOT NULL DEFAULT 0,
            synced       integer NOT NULL DEFAULT 0,
            failed       integer NOT NULL DEFAULT 0,
            skipped      integer NOT NULL DEFAULT 0,
            items        bigint NOT NULL DEFAULT 0,
            throttled_ms bigint NOT NULL DEFAULT 0
        );
        """,

        // 3 (issue 17, as SQLite's migration 3): items a page named that the server could not hand over (corrupt, too
        // large), with the reason; the folder advances past them and every later run tries them again. The roster
        // counts them for the status.
        """
        CREATE TABLE skipped_items (
            organization text COLLATE inboxps_nocase NOT NULL,
            mailbox      text COLLATE inboxps_nocase NOT NULL,
            item_id      text NOT NULL,
            folder_id    text NOT NULL,
            error_id     text NOT NULL,
            reason       text NOT NULL,
            first_utc    timestamptz NOT NULL,
            last_utc     timestamptz NOT NULL,
            attempts     integer NOT NULL DEFAULT 1,
            PRIMARY KEY (organization, mailbox, item_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE INDEX skipped_items_by_folder ON skipped_items (organization, mailbox, folder_id);
        ALTER TABLE roster ADD COLUMN skipped_count integer NOT NULL DEFAULT 0;
        """,

        // 4 (issues 19 and 14, as SQLite's migrations 4 and 5): the folders chosen for each user (FolderChoice's text
        // form; NULL for users activated before: they keep the default folders), and an organization's Microsoft Graph
        // endpoint override (NULL: the cloud's Graph).
        """
        ALTER TABLE roster ADD COLUMN folder_choice text NULL;
        ALTER TABLE organizations ADD COLUMN graph_url text NULL;
        """,

        // 5 (issue 17, as SQLite's migration 7): one mailbox, one roster entry. mailbox_id is the server's stable id of
        // the mailbox (its inbox folder's id); rows stored before take the id of their stored inbox, and rows that turn
        // out to be one mailbox are merged into the one stored by SMTP address (else the first by name), which
        // stays active if any of them was. Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE roster ADD COLUMN mailbox_id text NULL;
        UPDATE roster r SET mailbox_id = f.folder_id FROM folders f
            WHERE f.organization = r.organization AND f.mailbox = r.mailbox AND f.well_known_name = 'inbox';
        CREATE TEMP TABLE roster_duplicates ON COMMIT DROP AS
            SELECT d.organization, d.mailbox, bool_or(d.active) OVER (PARTITION BY d.organization, d.mailbox_id) AS any_active,
                   row_number() OVER (PARTITION BY d.organization, d.mailbox_id
                       ORDER BY d.address_kind <> 'SmtpAddress', d.mailbox) AS rank
            FROM roster d WHERE d.mailbox_id IS NOT NULL;
        UPDATE roster r SET active = true FROM roster_duplicates k
            WHERE k.organization = r.organization AND k.mailbox = r.mailbox AND k.rank = 1 AND k.any_active;
        DELETE FROM skipped_items s USING roster_duplicates k
            WHERE k.organization = s.organization AND k.mailbox = s.mailbox AND k.rank > 1;
        DELETE FROM items i USING roster_duplicates k
            WHERE k.organization = i.organization AND k.mailbox = i.mailbox AND k.rank > 1;
        DELETE FROM folders f USING roster_duplicates k
            WHERE k.organization = f.organization AND k.mailbox = f.mailbox AND k.rank > 1;
        DELETE FROM roster r USING roster_duplicates k
            WHERE k.organization = r.organization AND k.mailbox = r.mailbox AND k.rank > 1;
        CREATE UNIQUE INDEX roster_by_mailbox_id ON roster (organization, mailbox_id) WHERE mailbox_id IS NOT NULL;
        """,

        // 6 (issue 16, as SQLite's migration 8): when a run's round began (its own start, or that of the round it joined
        // as a late worker). Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE sync_runs ADD COLUMN round_started_utc timestamptz NULL;
        """,

        // 7 (issue 18, as SQLite's migration 9): who started each run where and how, its items by kind, how it ended and
        // until when a run without an end counts as running; each mailbox's figures per run (the newest few per mailbox).
        // Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE sync_runs ADD COLUMN started_by text NULL;
        ALTER TABLE sync_runs ADD COLUMN machine text NULL;
        ALTER TABLE sync_runs ADD COLUMN parameters text NULL;
        ALTER TABLE sync_runs ADD COLUMN items_added bigint NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN items_updated bigint NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN items_deleted bigint NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN result text NULL;
        ALTER TABLE sync_runs ADD COLUMN alive_until_utc timestamptz NULL;
        CREATE TABLE mailbox_runs (
            id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id             bigint NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            organization       text COLLATE inboxps_nocase NOT NULL,
            mailbox            text COLLATE inboxps_nocase NOT NULL,
            worker             text NULL,
            status             text NOT NULL,
            ended_utc          timestamptz NOT NULL,
            duration_ms        bigint NOT NULL,
            calls              integer NOT NULL,
            throttled_ms       bigint NOT NULL,
            items_added        integer NOT NULL,
            items_updated      integer NOT NULL,
            items_deleted      integer NOT NULL,
            items_skipped      integer NOT NULL,
            error_id           text NULL,
            message            text NULL,
            recommended_action text NULL
        );
        CREATE INDEX mailbox_runs_by_mailbox ON mailbox_runs (organization, mailbox, id);
        CREATE INDEX mailbox_runs_by_run ON mailbox_runs (run_id, id);
        """,

        // 8 (issue 19, as SQLite's migration 10): an organization's proxy (NULL: the system's), never its credential.
        """
        ALTER TABLE organizations ADD COLUMN proxy_url text NULL;
        ALTER TABLE organizations ADD COLUMN proxy_default_credentials boolean NOT NULL DEFAULT false;
        """,

        // 9 (issue 14): items kept across a switch of access type are matched by Internet message id among the ones still
        // awaiting a match (folder_id ''): without this a re-baseline reads every kept item for each new one. Self-contained:
        // renumber freely when merging other migrations.
        """
        CREATE INDEX items_by_message_id ON items (organization, mailbox, folder_id, internet_message_id);
        """,
    };

    public static int CurrentVersion => Migrations.Length;
}
