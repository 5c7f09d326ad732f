namespace InboxPS.Core.Store;

/// <summary>
/// The store's schema as an ordered list of migrations. Migration N brings a store from user_version N-1 to N inside
/// one transaction; a shipped migration is never edited, only followed by a new one.
/// </summary>
internal static class StoreSchema
{
    public static readonly string[] Migrations =
    {
        // 1: organization profiles (no secrets: those live in the OS-protected token cache or nowhere).
        """
        CREATE TABLE organizations (
            name            TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            access_type     TEXT NOT NULL,
            ews_url         TEXT NULL,
            environment     TEXT NOT NULL,
            tenant_id       TEXT NULL,
            client_id       TEXT NULL,
            authority       TEXT NULL,
            service_account TEXT NULL,
            created_utc     TEXT NOT NULL,
            modified_utc    TEXT NOT NULL
        );
        """,

        // 2: the roster of activated users, their folders with sync states, and the synchronized items.
        // A folder's sync_state is only ever written in the same transaction as the items of its page.
        """
        CREATE TABLE roster (
            organization       TEXT NOT NULL COLLATE NOCASE REFERENCES organizations (name) ON DELETE CASCADE,
            mailbox            TEXT NOT NULL COLLATE NOCASE,
            address_kind       TEXT NOT NULL DEFAULT 'SmtpAddress',
            active             INTEGER NOT NULL DEFAULT 1,
            status             TEXT NOT NULL,
            activated_utc      TEXT NOT NULL,
            last_attempt_utc   TEXT NULL,
            last_success_utc   TEXT NULL,
            last_error_id      TEXT NULL,
            last_error         TEXT NULL,
            recommended_action TEXT NULL,
            hierarchy_state    TEXT NULL,
            folder_count       INTEGER NOT NULL DEFAULT 0,
            item_count         INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (organization, mailbox)
        );
        CREATE TABLE folders (
            organization     TEXT NOT NULL COLLATE NOCASE,
            mailbox          TEXT NOT NULL COLLATE NOCASE,
            folder_id        TEXT NOT NULL,
            parent_folder_id TEXT NULL,
            display_name     TEXT NULL,
            folder_class     TEXT NULL,
            well_known_name  TEXT NULL,
            selected         INTEGER NOT NULL DEFAULT 0,
            sync_state       TEXT NULL,
            synced_utc       TEXT NULL,
            PRIMARY KEY (organization, mailbox, folder_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE TABLE items (
            organization        TEXT NOT NULL COLLATE NOCASE,
            mailbox             TEXT NOT NULL COLLATE NOCASE,
            item_id             TEXT NOT NULL,
            folder_id           TEXT NOT NULL,
            change_key          TEXT NULL,
            item_class          TEXT NULL,
            internet_message_id TEXT NULL,
            conversation_id     TEXT NULL,
            subject             TEXT NULL,
            sender              TEXT NULL,
            to_recipients       TEXT NULL,
            cc_recipients       TEXT NULL,
            sent_utc            TEXT NULL,
            received_utc        TEXT NULL,
            size                INTEGER NULL,
            is_read             INTEGER NULL,
            has_attachments     INTEGER NULL,
            mime_path           TEXT NULL,
            updated_utc         TEXT NOT NULL,
            PRIMARY KEY (organization, mailbox, item_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE INDEX items_by_folder ON items (organization, mailbox, folder_id);
        """,

        // 3 (issue 17): items a page named that the server could not hand over (corrupt, too large), with the reason;
        // the folder advances past them and every later run tries them again. The roster counts them for the status.
        """
        CREATE TABLE skipped_items (
            organization TEXT NOT NULL COLLATE NOCASE,
            mailbox      TEXT NOT NULL COLLATE NOCASE,
            item_id      TEXT NOT NULL,
            folder_id    TEXT NOT NULL,
            error_id     TEXT NOT NULL,
            reason       TEXT NOT NULL,
            first_utc    TEXT NOT NULL,
            last_utc     TEXT NOT NULL,
            attempts     INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (organization, mailbox, item_id),
            FOREIGN KEY (organization, mailbox) REFERENCES roster (organization, mailbox) ON DELETE CASCADE
        );
        CREATE INDEX skipped_items_by_folder ON skipped_items (organization, mailbox, folder_id);
        ALTER TABLE roster ADD COLUMN skipped_count INTEGER NOT NULL DEFAULT 0;
        """,

        // 4 (issue 19): the folders chosen for each user (FolderChoice's text form), so a run that names no folders
        // syncs what was chosen. NULL for users activated before: they keep the default folders.
        """
        ALTER TABLE roster ADD COLUMN folder_choice TEXT NULL;
        """,

        // 5 (issue 14): an organization's Microsoft Graph endpoint override (null: the cloud's Graph).
        """
        ALTER TABLE organizations ADD COLUMN graph_url TEXT NULL;
        """,

        // 6 (issue 16): several workers on one store. Claims on mailboxes, one run record per worker run, and the
        // worker that synced a user last. Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE roster ADD COLUMN last_worker TEXT NULL;
        CREATE TABLE mailbox_leases (
            organization   TEXT NOT NULL COLLATE NOCASE REFERENCES organizations (name) ON DELETE CASCADE,
            mailbox        TEXT NOT NULL COLLATE NOCASE,
            holder_token   TEXT NULL,
            holder         TEXT NULL,
            expires_utc    TEXT NULL,
            finished_token TEXT NULL,
            finished_by    TEXT NULL,
            finished_utc   TEXT NULL,
            PRIMARY KEY (organization, mailbox)
        );
        CREATE TABLE sync_runs (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            organization TEXT NOT NULL COLLATE NOCASE REFERENCES organizations (name) ON DELETE CASCADE,
            worker       TEXT NOT NULL,
            token        TEXT NOT NULL,
            started_utc  TEXT NOT NULL,
            ended_utc    TEXT NULL,
            users        INTEGER NOT NULL DEFAULT 0,
            synced       INTEGER NOT NULL DEFAULT 0,
            failed       INTEGER NOT NULL DEFAULT 0,
            skipped      INTEGER NOT NULL DEFAULT 0,
            items        INTEGER NOT NULL DEFAULT 0,
            throttled_ms INTEGER NOT NULL DEFAULT 0
        );
        """,

        // 7 (issue 17): one mailbox, one roster entry. mailbox_id is the server's stable id of the mailbox (its inbox
        // folder's id), so its UPN, an alias or a former primary address find the same row. Rows stored before take the
        // id of their stored inbox; rows that turn out to be one mailbox are merged into the one stored by SMTP
        // address (else the first by name), which stays active if any of them was. Self-contained: renumber freely.
        """
        ALTER TABLE roster ADD COLUMN mailbox_id TEXT NULL;
        UPDATE roster SET mailbox_id = (
            SELECT f.folder_id FROM folders f
            WHERE f.organization = roster.organization AND f.mailbox = roster.mailbox AND f.well_known_name = 'inbox');
        CREATE TEMP TABLE roster_duplicates AS
            SELECT d.organization, d.mailbox, MAX(d.active) OVER (PARTITION BY d.organization, d.mailbox_id) AS any_active,
                   ROW_NUMBER() OVER (PARTITION BY d.organization, d.mailbox_id
                       ORDER BY d.address_kind <> 'SmtpAddress', d.mailbox COLLATE NOCASE) AS rank
            FROM roster d WHERE d.mailbox_id IS NOT NULL;
        UPDATE roster SET active = 1 WHERE EXISTS (SELECT 1 FROM roster_duplicates k
            WHERE k.organization = roster.organization AND k.mailbox = roster.mailbox AND k.rank = 1 AND k.any_active = 1);
        DELETE FROM skipped_items WHERE EXISTS (SELECT 1 FROM roster_duplicates k
            WHERE k.organization = skipped_items.organization AND k.mailbox = skipped_items.mailbox AND k.rank > 1);
        DELETE FROM items WHERE EXISTS (SELECT 1 FROM roster_duplicates k
            WHERE k.organization = items.organization AND k.mailbox = items.mailbox AND k.rank > 1);
        DELETE FROM folders WHERE EXISTS (SELECT 1 FROM roster_duplicates k
            WHERE k.organization = folders.organization AND k.mailbox = folders.mailbox AND k.rank > 1);
        DELETE FROM roster WHERE EXISTS (SELECT 1 FROM roster_duplicates k
            WHERE k.organization = roster.organization AND k.mailbox = roster.mailbox AND k.rank > 1);
        DROP TABLE roster_duplicates;
        CREATE UNIQUE INDEX roster_by_mailbox_id ON roster (organization, mailbox_id) WHERE mailbox_id IS NOT NULL;
        """,

        // 8 (issue 16): when a run's round began (its own start, or that of the round it joined as a late worker).
        // Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE sync_runs ADD COLUMN round_started_utc TEXT NULL;
        """,

        // 9 (issue 18): what was synced. Each run record says who started it where and how, its items by kind and how it
        // ended; alive_until_utc is how long a run without an end counts as running (then it shows as Interrupted).
        // mailbox_runs keeps each mailbox's figures per run (the newest few per mailbox): the user's last run, error
        // history and the report. Self-contained: renumber freely when merging other migrations.
        """
        ALTER TABLE sync_runs ADD COLUMN started_by TEXT NULL;
        ALTER TABLE sync_runs ADD COLUMN machine TEXT NULL;
        ALTER TABLE sync_runs ADD COLUMN parameters TEXT NULL;
        ALTER TABLE sync_runs ADD COLUMN items_added INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN items_updated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN items_deleted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sync_runs ADD COLUMN result TEXT NULL;
        ALTER TABLE sync_runs ADD COLUMN alive_until_utc TEXT NULL;
        CREATE TABLE mailbox_runs (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id             INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
            organization       TEXT NOT NULL COLLATE NOCASE,
            mailbox            TEXT NOT NULL COLLATE NOCASE,
            worker             TEXT NULL,
            status             TEXT NOT NULL,
            ended_utc          TEXT NOT NULL,
            duration_ms        INTEGER NOT NULL,
            calls              INTEGER NOT NULL,
            throttled_ms       INTEGER NOT NULL,
            items_added        INTEGER NOT NULL,
            items_updated      INTEGER NOT NULL,
            items_deleted      INTEGER NOT NULL,
            items_skipped      INTEGER NOT NULL,
            error_id           TEXT NULL,
            message            TEXT NULL,
            recommended_action TEXT NULL
        );
        CREATE INDEX mailbox_runs_by_mailbox ON mailbox_runs (organization, mailbox, id);
        CREATE INDEX mailbox_runs_by_run ON mailbox_runs (run_id, id);
        """,

        // 10 (issue 19): the proxy an organization's requests take (null: the system's) and whether it is answered as
        // the Windows user. Never a proxy credential: that is given per session. Renumber freely when merging.
        """
        ALTER TABLE organizations ADD COLUMN proxy_url TEXT NULL;
        ALTER TABLE organizations ADD COLUMN proxy_default_credentials INTEGER NOT NULL DEFAULT 0;
        """,

        // 11 (issue 14): items kept across a switch of access type are matched by Internet message id among the ones still
        // awaiting a match (folder_id ''): without this a re-baseline reads every kept item for each new one. Self-contained:
        // renumber freely when merging other migrations.
        """
        CREATE INDEX items_by_message_id ON items (organization, mailbox, folder_id, internet_message_id);
        """,
    };

    public static int CurrentVersion => Migrations.Length;
}
