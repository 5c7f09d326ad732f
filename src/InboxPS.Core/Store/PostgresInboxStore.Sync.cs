using System;
using System.Collections.Generic;
using System.Linq;
using InboxPS.Core.Sync;
using Npgsql;

namespace InboxPS.Core.Store;

// The roster, folders and items, with SQLite's rule: a folder's sync_state is only written in the transaction that
// writes the items of the page it came with, so a worker that dies mid-mailbox leaves the last stored page to continue.
public sealed partial class PostgresInboxStore
{
    private const string CountSelectedFolders =
        "(SELECT count(*) FROM folders f WHERE f.organization = @org AND f.mailbox = @mailbox AND f.selected)";

    private const string CountItems = "(SELECT count(*) FROM items i WHERE i.organization = @org AND i.mailbox = @mailbox)";

    private const string CountSkipped =
        "(SELECT count(*) FROM skipped_items s WHERE s.organization = @org AND s.mailbox = @mailbox)";

    private const string FolderItems = "organization = @org AND mailbox = @mailbox AND folder_id = @id";

    private const string ForgetFolderSql = """
        DELETE FROM items WHERE organization = @org AND mailbox = @mailbox AND folder_id = @id;
        DELETE FROM skipped_items WHERE organization = @org AND mailbox = @mailbox AND folder_id = @id;
        DELETE FROM folders WHERE organization = @org AND mailbox = @mailbox AND folder_id = @id;
        """;

    public RosterEntry? GetRosterEntry(string organization, string mailbox)
    {
        var found = Read("SELECT * FROM roster WHERE organization = @org AND mailbox = @mailbox", StoreRows.RosterEntry,
            ("org", organization), ("mailbox", mailbox));
        return found.Count == 0 ? null : found[0];
    }

    public IEnumerable<RosterEntry> GetRoster(string? organization, bool activeOnly) =>
        StoreRows.RosterPages((lastOrganization, lastMailbox, limit) => Read("""
            SELECT * FROM roster
            WHERE (@org::text IS NULL OR organization = @org)
              AND (NOT @activeOnly OR active)
              AND (@lastOrg::text IS NULL OR (organization, mailbox) > (@lastOrg, @lastMailbox))
            ORDER BY organization, mailbox
            LIMIT @limit
            """, StoreRows.RosterEntry, ("org", organization), ("activeOnly", activeOnly), ("lastOrg", lastOrganization),
            ("lastMailbox", lastMailbox), ("limit", limit)));

    public RosterEntry? FindMailbox(string organization, string mailboxId)
    {
        var found = Read("SELECT * FROM roster WHERE organization = @org AND mailbox_id = @id", StoreRows.RosterEntry,
            ("org", organization), ("id", mailboxId));
        return found.Count == 0 ? null : found[0];
    }

    public bool Activate(string organization, MailboxTarget target, FolderChoice? folders = null)
    {
        var activated = false;
        Write(connection =>
        {
            // xmax = 0 tells a fresh insert from an update; an update of an inactive row reactivates the user. No folder
            // choice given: the user keeps the one stored.
            using var command = Command(connection, """
                INSERT INTO roster AS r (organization, mailbox, address_kind, active, status, activated_utc, folder_choice, mailbox_id)
                VALUES (@org, @mailbox, @kind, true, @pending, now(), @folders, @mailboxId)
                ON CONFLICT (organization, mailbox) DO UPDATE SET
                    active = true, address_kind = excluded.address_kind,
                    folder_choice = COALESCE(excluded.folder_choice, r.folder_choice),
                    mailbox_id = COALESCE(excluded.mailbox_id, r.mailbox_id),
                    activated_utc = CASE WHEN r.active THEN r.activated_utc ELSE excluded.activated_utc END
                RETURNING (xmax = 0) AS inserted,
                          (SELECT NOT active FROM roster o WHERE o.organization = @org AND o.mailbox = @mailbox) AS was_inactive
                """, ("org", organization), ("mailbox", target.Address), ("kind", target.Kind.ToString()), ("pending", RosterStatus.Pending),
                ("folders", folders?.Serialize()), ("mailboxId", target.MailboxId));
            using var reader = command.ExecuteReader();
            reader.Read();
            activated = reader.GetBoolean(0) || (!reader.IsDBNull(1) && reader.GetBoolean(1));
        });
        return activated;
    }

    public void RecordSuccess(string organization, string mailbox) =>
        Write(connection => Execute(connection, $"""
            UPDATE roster SET status = @synced, last_attempt_utc = now(), last_success_utc = now(),
                last_error_id = NULL, last_error = NULL, recommended_action = NULL,
                folder_count = {CountSelectedFolders}, item_count = {CountItems}, skipped_count = {CountSkipped}
            WHERE organization = @org AND mailbox = @mailbox
            """, ("org", organization), ("mailbox", mailbox), ("synced", RosterStatus.Synced)));

    public void RecordFailure(string organization, string mailbox, string errorId, string message, string? recommendedAction) =>
        Write(connection => Execute(connection, """
            INSERT INTO roster (organization, mailbox, active, status, activated_utc, last_attempt_utc,
                                last_error_id, last_error, recommended_action)
            VALUES (@org, @mailbox, false, @failed, now(), now(), @id, @message, @action)
            ON CONFLICT (organization, mailbox) DO UPDATE SET
                status = @failed, last_attempt_utc = now(), last_error_id = @id, last_error = @message,
                recommended_action = @action
            """, ("org", organization), ("mailbox", mailbox), ("failed", RosterStatus.Failed), ("id", errorId),
            ("message", message), ("action", recommendedAction)));

    public bool Deactivate(string organization, string mailbox, bool removeData)
    {
        var changed = false;
        WriteRemovingContent((connection, files) =>
        {
            if (removeData)
            {
                CollectFiles(connection, files, "organization = @org AND mailbox = @mailbox", ("org", organization), ("mailbox", mailbox));
                Execute(connection, HistorySql.ForgetMailboxRuns, ("org", organization), ("mailbox", mailbox));
            }

            changed = Execute(connection, removeData
                ? "DELETE FROM roster WHERE organization = @org AND mailbox = @mailbox"
                : "UPDATE roster SET active = false, status = @inactive WHERE organization = @org AND mailbox = @mailbox AND active",
                ("org", organization), ("mailbox", mailbox), ("inactive", RosterStatus.Inactive)) > 0;
        });
        return changed;
    }

    public void ForgetProtocolState(string organization) =>
        Write(connection => Execute(connection, """
            UPDATE items SET folder_id = @awaiting WHERE organization = @org;
            DELETE FROM skipped_items WHERE organization = @org;
            DELETE FROM folders WHERE organization = @org;
            UPDATE roster SET hierarchy_state = NULL, folder_count = 0, skipped_count = 0,
                status = CASE WHEN active THEN @rebaselining ELSE status END
            WHERE organization = @org;
            """, ("org", organization), ("awaiting", StoreRows.AwaitingRebaseline), ("rebaselining", RosterStatus.Rebaselining)));

    public int CountItemsToRebaseline(string organization, string mailbox) =>
        Read("SELECT count(*) FROM items WHERE " + FolderItems, reader => Convert.ToInt32(reader.GetValue(0)),
            ("org", organization), ("mailbox", mailbox), ("id", StoreRows.AwaitingRebaseline))[0];

    public int FinishRebaseline(string organization, string mailbox)
    {
        var removed = 0;
        WriteRemovingContent((connection, files) =>
        {
            var parameters = new (string, object?)[] { ("org", organization), ("mailbox", mailbox), ("id", StoreRows.AwaitingRebaseline) };
            CollectFiles(connection, files, FolderItems, parameters);
            removed = Execute(connection, "DELETE FROM items WHERE " + FolderItems, parameters);
        });
        return removed;
    }

    public string? GetHierarchyState(string organization, string mailbox)
    {
        var found = Read("SELECT hierarchy_state FROM roster WHERE organization = @org AND mailbox = @mailbox",
            reader => reader.IsDBNull(0) ? null : reader.GetString(0), ("org", organization), ("mailbox", mailbox));
        return found.Count == 0 ? null : found[0];
    }

    public void ApplyFolderPage(string organization, string mailbox, FolderPage page)
    {
        WriteRemovingContent((connection, files) =>
        {
            RequireOnRoster(connection, organization, mailbox);
            foreach (var change in page.Changes)
            {
                if (change.Kind == MailChangeKind.Delete || change.Folder is null)
                {
                    // Items go with their folder; a folder the hierarchy says is gone must not keep ghosts.
                    ForgetFolder(connection, files, organization, mailbox, change.FolderId);
                }
                else
                {
                    Execute(connection, """
                        INSERT INTO folders (organization, mailbox, folder_id, parent_folder_id, display_name, folder_class)
                        VALUES (@org, @mailbox, @id, @parent, @name, @class)
                        ON CONFLICT (organization, mailbox, folder_id) DO UPDATE SET
                            parent_folder_id = excluded.parent_folder_id, display_name = excluded.display_name,
                            folder_class = excluded.folder_class
                        """, ("org", organization), ("mailbox", mailbox), ("id", change.FolderId),
                        ("parent", change.Folder.ParentId), ("name", change.Folder.DisplayName), ("class", change.Folder.FolderClass));
                }
            }

            Execute(connection, "UPDATE roster SET hierarchy_state = @state WHERE organization = @org AND mailbox = @mailbox",
                ("state", page.State), ("org", organization), ("mailbox", mailbox));
        });
    }

    public IReadOnlyList<StoredFolder> GetFolders(string organization, string mailbox) =>
        Read("SELECT * FROM folders WHERE organization = @org AND mailbox = @mailbox ORDER BY folder_id COLLATE \"C\"",
            StoreRows.Folder, ("org", organization), ("mailbox", mailbox));

    public void ForgetFolders(string organization, string mailbox, IReadOnlyCollection<string> folderIds) =>
        WriteRemovingContent((connection, files) =>
        {
            foreach (var folderId in folderIds)
            {
                ForgetFolder(connection, files, organization, mailbox, folderId);
            }
        });

    public void SelectFolder(string organization, string mailbox, MailFolder folder, string? wellKnownName) =>
        Write(connection =>
        {
            RequireOnRoster(connection, organization, mailbox);
            Execute(connection, """
            INSERT INTO folders (organization, mailbox, folder_id, parent_folder_id, display_name, folder_class,
                                 well_known_name, selected)
            VALUES (@org, @mailbox, @id, @parent, @name, @class, @wellKnown, true)
            ON CONFLICT (organization, mailbox, folder_id) DO UPDATE SET
                selected = true, well_known_name = COALESCE(excluded.well_known_name, folders.well_known_name)
            """, ("org", organization), ("mailbox", mailbox), ("id", folder.Id), ("parent", folder.ParentId),
            ("name", folder.DisplayName), ("class", folder.FolderClass), ("wellKnown", wellKnownName));
        });

    // A page is a handful of statements whatever its size (the upserts, the deletes, the read flags, the skipped items
    // and the state each in one, over arrays), not one round trip per item: a big mailbox's pages are 512 changes.
    public ItemPageOutcome ApplyItemPage(string organization, string mailbox, string folderId, ItemPage page,
        IReadOnlyDictionary<string, string>? mimePaths)
    {
        int added = 0, updated = 0, deleted = 0, skipped = 0;
        IReadOnlyList<string> unstored = Array.Empty<string>();
        WriteRemovingContent((connection, files) =>
        {
            RequireOnRoster(connection, organization, mailbox);
            var toReadWhole = new List<string>();
            var whole = new List<MailItem>(page.Upserts.Count);
            updated = UpdatePartialItems(connection, files, organization, mailbox, folderId, page.Upserts, mimePaths, whole, toReadWhole);
            var (newItems, updatedItems) = UpsertItems(connection, files, organization, mailbox, folderId, whole, mimePaths);
            added = newItems;
            updated += updatedItems;

            if (page.Deletes.Count > 0)
            {
                var ids = page.Deletes.ToArray();
                // A folder's deletes and read flags are about its own items: a message moved under the same id (Graph's
                // immutable ids) may already be stored under the folder it went to, synced first.
                const string folderItems = "organization = @org AND mailbox = @mailbox AND folder_id = @folder AND item_id = ANY(@ids)";
                CollectFiles(connection, files, folderItems, ("org", organization), ("mailbox", mailbox), ("folder", folderId), ("ids", ids));
                deleted = Execute(connection, "DELETE FROM items WHERE " + folderItems,
                    ("org", organization), ("mailbox", mailbox), ("folder", folderId), ("ids", ids));
            }

            updated += ApplyReadFlags(connection, organization, mailbox, folderId, page.ReadFlags);
            skipped = RecordSkipped(connection, organization, mailbox, folderId, page, toReadWhole);
            unstored = toReadWhole;

            if (Execute(connection, """
                    UPDATE folders SET sync_state = @state, synced_utc = now()
                    WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder
                    """, ("state", page.State), ("org", organization), ("mailbox", mailbox), ("folder", folderId)) != 1)
            {
                throw StoreException.MailboxRemovedDuringSync(Location, mailbox);
            }
        });
        return new ItemPageOutcome(added, updated, deleted, skipped, unstored);
    }

    // A partial update (MailItem.Properties) sets only the columns the item carries; the others keep what is stored. The
    // items that are whole go to `whole`; a partial one not stored yet goes to `toReadWhole`, to be read whole.
    private static int UpdatePartialItems(NpgsqlConnection connection, ContentFiles files, string organization, string mailbox,
        string folderId, IReadOnlyList<MailItem> upserts, IReadOnlyDictionary<string, string>? mimePaths, List<MailItem> whole,
        List<string> toReadWhole)
    {
        NpgsqlCommand? partial = null;
        ItemBinder? bind = null;
        NpgsqlParameter? carries = null;
        var updated = 0;
        try
        {
            foreach (var item in upserts)
            {
                if (!item.IsPartial)
                {
                    whole.Add(item);
                    continue;
                }

                if (partial is null)
                {
                    partial = PartialUpdate(connection, organization, mailbox, folderId);
                    bind = new ItemBinder(partial);
                    carries = partial.Parameters.Add("carries", NpgsqlTypes.NpgsqlDbType.Integer);
                }

                var mimePath = MimePath(mimePaths, item.Id);
                bind!.Bind(item, mimePath, keepFile: false);
                carries!.Value = (int)item.Properties;
                using var updatedRow = partial.ExecuteReader();
                if (updatedRow.Read())
                {
                    files.Replaced(updatedRow.IsDBNull(0) ? null : updatedRow.GetString(0), mimePath);
                    updated++;
                }
                else
                {
                    toReadWhole.Add(item.Id);
                }
            }
        }
        finally
        {
            partial?.Dispose();
        }

        return updated;
    }

    // A partial update (MailItem.Properties) sets only the columns the item carries; the others keep what is stored. It
    // returns the row's earlier file (stale now), and no row when the item is not stored yet.
    private static NpgsqlCommand PartialUpdate(NpgsqlConnection connection, string organization, string mailbox, string folderId) =>
        Command(connection, "WITH stored AS (SELECT mime_path FROM items WHERE organization = @org AND mailbox = @mailbox AND item_id = @id) "
            + "UPDATE items SET " + StoreRows.PartialItemColumns("@", flag => $"(@carries & {flag}) <> 0")
            + ", folder_id = @folder, mime_path = @mime, updated_utc = now() WHERE organization = @org AND mailbox = @mailbox AND item_id = @id"
            + " RETURNING (SELECT mime_path FROM stored)",
            ("org", organization), ("mailbox", mailbox), ("folder", folderId));

    // One INSERT ... ON CONFLICT for the page's items, whose RETURNING says which rows were new; the files the rows had
    // are read just before, in one query (a subquery per returned row made the statement grow with the table).
    private static (int Added, int Updated) UpsertItems(NpgsqlConnection connection, ContentFiles files, string organization, string mailbox,
        string folderId, IReadOnlyList<MailItem> upserts, IReadOnlyDictionary<string, string>? mimePaths)
    {
        if (upserts.Count == 0)
        {
            return (0, 0);
        }

        // The same item twice in a page: the later one wins, as one statement per item did, and counts as an update.
        var items = StoreRows.LastOfEach(upserts, out var repeats);
        var takenOver = new HashSet<string>(StringComparer.Ordinal);
        using (var rebaseline = RebaselineMatcher.IfAwaiting(connection, organization, mailbox, folderId))
        {
            foreach (var item in items)
            {
                if (rebaseline?.TakeOver(item, MimePath(mimePaths, item.Id), files) == true)
                {
                    takenOver.Add(item.Id);
                }
            }
        }

        var columns = new ItemColumns(items, mimePaths);
        var storedFiles = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var stored = Command(connection, "SELECT item_id, mime_path FROM items WHERE organization = @org AND mailbox = @mailbox AND item_id = ANY(@ids)",
            ("org", organization), ("mailbox", mailbox), ("ids", items.Select(i => i.Id).ToArray())))
        using (var rows = stored.ExecuteReader())
        {
            while (rows.Read())
            {
                storedFiles[rows.GetString(0)] = rows.IsDBNull(1) ? null : rows.GetString(1);
            }
        }

        using var upsert = Command(connection, """
            INSERT INTO items AS i (organization, mailbox, item_id, folder_id, change_key, item_class, internet_message_id,
                               conversation_id, subject, sender, to_recipients, cc_recipients, sent_utc, received_utc,
                               size, is_read, has_attachments, mime_path, updated_utc)
            SELECT @org, @mailbox, p.*, now()
            FROM unnest(@id, @folder, @changeKey, @class, @messageId, @conversation, @subject, @sender, @to, @cc, @sent,
                        @received, @size, @isRead, @attachments, @mime) AS p
            ON CONFLICT (organization, mailbox, item_id) DO UPDATE SET
                folder_id = excluded.folder_id, change_key = excluded.change_key, item_class = excluded.item_class,
                internet_message_id = excluded.internet_message_id, conversation_id = excluded.conversation_id,
                subject = excluded.subject, sender = excluded.sender, to_recipients = excluded.to_recipients,
                cc_recipients = excluded.cc_recipients, sent_utc = excluded.sent_utc,
                received_utc = excluded.received_utc, size = excluded.size, is_read = excluded.is_read,
                has_attachments = excluded.has_attachments,
                mime_path = CASE WHEN i.item_id = ANY(@keepFile) THEN COALESCE(excluded.mime_path, i.mime_path) ELSE excluded.mime_path END,
                updated_utc = excluded.updated_utc
            RETURNING i.item_id, (xmax = 0)
            """, ("org", organization), ("mailbox", mailbox));
        columns.Bind(upsert, folderId, takenOver);
        int added = 0, updated = repeats;
        using var upserted = upsert.ExecuteReader();
        while (upserted.Read())
        {
            if (upserted.GetBoolean(1))
            {
                added++;
            }
            else
            {
                updated++;
            }

            // A row a rebaseline took over had its file dealt with there.
            var id = upserted.GetString(0);
            if (!takenOver.Contains(id) && storedFiles.TryGetValue(id, out var storedFile))
            {
                files.Replaced(storedFile, MimePath(mimePaths, id));
            }
        }

        return (added, updated);
    }

    private static int ApplyReadFlags(NpgsqlConnection connection, string organization, string mailbox, string folderId,
        IReadOnlyList<ReadFlagChange> changes)
    {
        if (changes.Count == 0)
        {
            return 0;
        }

        // The last change of an item wins; each change of a stored item counts, as one statement per change did.
        var last = new Dictionary<string, ReadFlagChange>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            last[change.ItemId] = change;
            counts[change.ItemId] = counts.TryGetValue(change.ItemId, out var count) ? count + 1 : 1;
        }

        var flags = new List<ReadFlagChange>(last.Values);
        using var update = Command(connection, """
            UPDATE items AS i SET is_read = f.is_read, change_key = COALESCE(f.change_key, i.change_key), updated_utc = now()
            FROM unnest(@id, @read, @changeKey) AS f(item_id, is_read, change_key)
            WHERE i.organization = @org AND i.mailbox = @mailbox AND i.folder_id = @folder AND i.item_id = f.item_id
            RETURNING i.item_id
            """, ("org", organization), ("mailbox", mailbox), ("folder", folderId), ("id", flags.ConvertAll(f => f.ItemId).ToArray()),
            ("read", flags.ConvertAll(f => f.IsRead).ToArray()));
        update.Parameters.Add(new NpgsqlParameter("changeKey", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text)
        {
            Value = flags.ConvertAll(f => f.ChangeKey).ToArray(),
        });
        var updated = 0;
        using var rows = update.ExecuteReader();
        while (rows.Read())
        {
            updated += counts[rows.GetString(0)];
        }

        return updated;
    }

    private static string? MimePath(IReadOnlyDictionary<string, string>? mimePaths, string itemId) =>
        mimePaths is not null && mimePaths.TryGetValue(itemId, out var path) ? path : null;

    public IReadOnlyList<SkippedItem> GetSkippedItems(string organization, string mailbox, string folderId) =>
        Read("""
            SELECT item_id, error_id, reason FROM skipped_items
            WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder ORDER BY item_id COLLATE "C"
            """, StoreRows.Skipped, ("org", organization), ("mailbox", mailbox), ("folder", folderId));

    // An item the page brought or deleted is no longer skipped; the page's skipped items are (again), with this reason.
    private static int RecordSkipped(NpgsqlConnection connection, string organization, string mailbox, string folderId, ItemPage page,
        IReadOnlyList<string> toReadWhole)
    {
        if (page.Upserts.Count + page.Deletes.Count > 0)
        {
            Execute(connection, "DELETE FROM skipped_items WHERE organization = @org AND mailbox = @mailbox AND item_id = ANY(@ids)",
                ("org", organization), ("mailbox", mailbox), ("ids", StoreRows.ReadOrDeleted(page)));
        }

        using var remember = Command(connection, """
            INSERT INTO skipped_items (organization, mailbox, item_id, folder_id, error_id, reason, first_utc, last_utc)
            VALUES (@org, @mailbox, @id, @folder, @error, @reason, now(), now())
            ON CONFLICT (organization, mailbox, item_id) DO UPDATE SET
                folder_id = excluded.folder_id, error_id = excluded.error_id, reason = excluded.reason,
                last_utc = excluded.last_utc, attempts = skipped_items.attempts + 1
            """, ("org", organization), ("mailbox", mailbox), ("folder", folderId));
        return StoreRows.RememberSkipped(page, toReadWhole, remember, remember.Parameters.Add("id", NpgsqlTypes.NpgsqlDbType.Text),
            remember.Parameters.Add("error", NpgsqlTypes.NpgsqlDbType.Text), remember.Parameters.Add("reason", NpgsqlTypes.NpgsqlDbType.Text));
    }

    public void ResetFolder(string organization, string mailbox, string folderId) =>
        ClearFolder(organization, mailbox, folderId, """
            UPDATE folders SET sync_state = NULL WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder;
            UPDATE roster SET status = @incomplete WHERE organization = @org AND mailbox = @mailbox;
            """, ("incomplete", RosterStatus.Incomplete));

    public void DeselectFolder(string organization, string mailbox, string folderId) =>
        ClearFolder(organization, mailbox, folderId, """
            UPDATE folders SET sync_state = NULL, synced_utc = NULL, selected = false
            WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder;
            """);

    // A folder's items (and their files) and skipped items, dropped with what <paramref name="then"/> changes, atomically.
    private void ClearFolder(string organization, string mailbox, string folderId, string then, params (string Name, object? Value)[] more) =>
        WriteRemovingContent((connection, files) =>
        {
            CollectFiles(connection, files, FolderItems, ("org", organization), ("mailbox", mailbox), ("id", folderId));
            Execute(connection, """
                DELETE FROM items WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder;
                DELETE FROM skipped_items WHERE organization = @org AND mailbox = @mailbox AND folder_id = @folder;
                """ + "\n" + then,
                [("org", organization), ("mailbox", mailbox), ("folder", folderId), .. more]);
        });

    // A folder the server no longer has: its items (and their files), skipped items and state.
    private static void ForgetFolder(NpgsqlConnection connection, ContentFiles files, string organization, string mailbox, string folderId)
    {
        CollectFiles(connection, files, FolderItems, ("org", organization), ("mailbox", mailbox), ("id", folderId));
        Execute(connection, ForgetFolderSql, ("org", organization), ("mailbox", mailbox), ("id", folderId));
    }

    // See StoreException.MailboxRemovedDuringSync: a write for a user taken out meanwhile fails that user alone.
    private void RequireOnRoster(NpgsqlConnection connection, string organization, string mailbox)
    {
        using var command = Command(connection, "SELECT 1 FROM roster WHERE organization = @org AND mailbox = @mailbox",
            ("org", organization), ("mailbox", mailbox));
        if (command.ExecuteScalar() is null)
        {
            throw StoreException.MailboxRemovedDuringSync(Location, mailbox);
        }
    }

    public (int Folders, int Items) CountStored(string organization, string mailbox) =>
        Read($"SELECT {CountSelectedFolders}, {CountItems}", reader => ((int)reader.GetInt64(0), (int)reader.GetInt64(1)),
            ("org", organization), ("mailbox", mailbox))[0];

    /// <summary>A page's items as one array per column, bound to the upsert's parameters in the order unnest reads them.</summary>
    private sealed class ItemColumns
    {
        private readonly IReadOnlyList<MailItem> _items;
        private readonly IReadOnlyDictionary<string, string>? _mimePaths;

        public ItemColumns(IReadOnlyList<MailItem> items, IReadOnlyDictionary<string, string>? mimePaths)
        {
            _items = items;
            _mimePaths = mimePaths;
        }

        /// <param name="keepFile">Rows a rebaseline took over: they keep their file (the same message) when no new one came.</param>
        public void Bind(NpgsqlCommand command, string folderId, IReadOnlyCollection<string> keepFile)
        {
            Text(command, "id", i => i.Id);
            Text(command, "folder", _ => folderId);
            Text(command, "changeKey", i => i.ChangeKey);
            Text(command, "class", i => i.ItemClass);
            Text(command, "messageId", i => i.InternetMessageId);
            Text(command, "conversation", i => i.ConversationId);
            Text(command, "subject", i => i.Subject);
            Text(command, "sender", i => i.Sender);
            Text(command, "to", i => i.ToRecipients);
            Text(command, "cc", i => i.CcRecipients);
            Column(command, "sent", NpgsqlTypes.NpgsqlDbType.TimestampTz, i => i.Sent?.UtcDateTime);
            Column(command, "received", NpgsqlTypes.NpgsqlDbType.TimestampTz, i => i.Received?.UtcDateTime);
            Column(command, "size", NpgsqlTypes.NpgsqlDbType.Bigint, i => i.Size);
            Column(command, "isRead", NpgsqlTypes.NpgsqlDbType.Boolean, i => i.IsRead);
            Column(command, "attachments", NpgsqlTypes.NpgsqlDbType.Boolean, i => i.HasAttachments);
            Text(command, "mime", i => MimePath(_mimePaths, i.Id));
            command.Parameters.Add(new NpgsqlParameter("keepFile", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = keepFile.ToArray() });
        }

        private void Text(NpgsqlCommand command, string name, Func<MailItem, string?> value) =>
            Column(command, name, NpgsqlTypes.NpgsqlDbType.Text, value);

        // Typed arrays (string?[], DateTime?[], long?[], bool?[]): Npgsql sends their nulls as NULL elements.
        private void Column<T>(NpgsqlCommand command, string name, NpgsqlTypes.NpgsqlDbType type, Func<MailItem, T> value)
        {
            var values = new T[_items.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = value(_items[i]);
            }

            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Array | type) { Value = values });
        }
    }

    /// <summary>The per-item parameters of a partial update, created once per page and re-bound for every item.</summary>
    private sealed class ItemBinder
    {
        private static readonly (string Name, NpgsqlTypes.NpgsqlDbType Type)[] s_columns =
        {
            ("id", NpgsqlTypes.NpgsqlDbType.Text), ("changeKey", NpgsqlTypes.NpgsqlDbType.Text), ("class", NpgsqlTypes.NpgsqlDbType.Text),
            ("messageId", NpgsqlTypes.NpgsqlDbType.Text), ("conversation", NpgsqlTypes.NpgsqlDbType.Text),
            ("subject", NpgsqlTypes.NpgsqlDbType.Text), ("sender", NpgsqlTypes.NpgsqlDbType.Text), ("to", NpgsqlTypes.NpgsqlDbType.Text),
            ("cc", NpgsqlTypes.NpgsqlDbType.Text), ("sent", NpgsqlTypes.NpgsqlDbType.TimestampTz),
            ("received", NpgsqlTypes.NpgsqlDbType.TimestampTz), ("size", NpgsqlTypes.NpgsqlDbType.Bigint),
            ("isRead", NpgsqlTypes.NpgsqlDbType.Boolean), ("attachments", NpgsqlTypes.NpgsqlDbType.Boolean),
            ("mime", NpgsqlTypes.NpgsqlDbType.Text), ("keepFile", NpgsqlTypes.NpgsqlDbType.Boolean),
        };

        private readonly NpgsqlParameter[] _parameters;

        public ItemBinder(NpgsqlCommand command)
        {
            _parameters = Array.ConvertAll(s_columns, column => command.Parameters.Add(column.Name, column.Type));
        }

        /// <param name="keepFile">A row a rebaseline took over keeps its file (the same message) when no new one came.</param>
        public void Bind(MailItem item, string? mimePath, bool keepFile)
        {
            object?[] values =
            {
                item.Id, item.ChangeKey, item.ItemClass, item.InternetMessageId, item.ConversationId, item.Subject,
                item.Sender, item.ToRecipients, item.CcRecipients, item.Sent?.ToUniversalTime(), item.Received?.ToUniversalTime(),
                item.Size, item.IsRead, item.HasAttachments, mimePath, keepFile,
            };
            for (var i = 0; i < values.Length; i++)
            {
                _parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }
}
