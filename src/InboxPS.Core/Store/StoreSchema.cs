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

        // 7 (issue 14): items kept across a switch of access type are matched by Internet message id among the ones still
        // awaiting a match (folder_id ''): without this a re-baseline reads every kept item for each new one. Self-contained:
        // renumber freely when merging other migrations.
        """
        CREATE INDEX items_by_message_id ON items (organization, mailbox, folder_id, internet_message_id);
        """,
    };

    public static int CurrentVersion => Migrations.Length;
}
