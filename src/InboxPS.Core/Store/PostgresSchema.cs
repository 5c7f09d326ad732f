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

        // 5 (issue 14): items kept across a switch of access type are matched by Internet message id among the ones still
        // awaiting a match (folder_id ''): without this a re-baseline reads every kept item for each new one. Self-contained:
        // renumber freely when merging other migrations.
        """
        CREATE INDEX items_by_message_id ON items (organization, mailbox, folder_id, internet_message_id);
        """,
    };

    public static int CurrentVersion => Migrations.Length;
}
