using System;
using System.Collections.Generic;
using System.Text.Json;
using InboxPS.Core.Sync;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Store;

// The roster, folders and items. The rule that makes a crash harmless: a folder's sync_state is only written in the
// transaction that writes the items of the page it came with, so a rerun resumes exactly after the last stored page.
public sealed partial class SqliteInboxStore
{
    private const string FolderItems = "organization = $org AND mailbox = $mailbox AND folder_id = $id";

    private const string ForgetFolderSql = """
        DELETE FROM items WHERE organization = $org AND mailbox = $mailbox AND folder_id = $id;
        DELETE FROM skipped_items WHERE organization = $org AND mailbox = $mailbox AND folder_id = $id;
        DELETE FROM folders WHERE organization = $org AND mailbox = $mailbox AND folder_id = $id;
        """;

    public RosterEntry? GetRosterEntry(string organization, string mailbox) => ReadRosterEntry("mailbox", organization, mailbox);

    public RosterEntry? FindMailbox(string organization, string mailboxId) => ReadRosterEntry("mailbox_id", organization, mailboxId);

    private RosterEntry? ReadRosterEntry(string keyColumn, string organization, string key) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM roster WHERE organization = $org AND {keyColumn} = $key";
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? StoreRows.RosterEntry(reader) : null;
    });

    public IEnumerable<RosterEntry> GetRoster(string? organization, bool activeOnly) =>
        StoreRows.RosterPages((lastOrganization, lastMailbox, limit) => Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT * FROM roster
                WHERE ($org IS NULL OR organization = $org)
                  AND ($activeOnly = 0 OR active = 1)
                  AND ($lastOrg IS NULL OR (organization, mailbox) > ($lastOrg, $lastMailbox))
                ORDER BY organization, mailbox
                LIMIT $limit
                """;
            command.Parameters.AddWithValue("$org", (object?)organization ?? DBNull.Value);
            command.Parameters.AddWithValue("$activeOnly", activeOnly ? 1 : 0);
            command.Parameters.AddWithValue("$lastOrg", (object?)lastOrganization ?? DBNull.Value);
            command.Parameters.AddWithValue("$lastMailbox", (object?)lastMailbox ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            var page = new List<RosterEntry>(limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                page.Add(StoreRows.RosterEntry(reader));
            }

            return page;
        }));

    public bool Activate(string organization, MailboxTarget target, FolderChoice? folders = null)
    {
        var mailbox = target.Address;
        var activated = false;
        Write(connection =>
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT active FROM roster WHERE organization = $org AND mailbox = $mailbox";
            read.Parameters.AddWithValue("$org", organization);
            read.Parameters.AddWithValue("$mailbox", mailbox);
            var active = read.ExecuteScalar();
            activated = active is null || Convert.ToInt64(active) == 0;

            using var write = connection.CreateCommand();
            write.CommandText = """
                INSERT INTO roster (organization, mailbox, address_kind, active, status, activated_utc, folder_choice, mailbox_id)
                VALUES ($org, $mailbox, $kind, 1, $pending, $now, $folders, $mailboxId)
                ON CONFLICT (organization, mailbox) DO UPDATE SET
                    active = 1, address_kind = excluded.address_kind,
                    folder_choice = COALESCE(excluded.folder_choice, roster.folder_choice),
                    mailbox_id = COALESCE(excluded.mailbox_id, roster.mailbox_id),
                    activated_utc = CASE WHEN roster.active = 0 THEN excluded.activated_utc ELSE roster.activated_utc END
                """;
            write.Parameters.AddWithValue("$org", organization);
            write.Parameters.AddWithValue("$mailbox", mailbox);
            write.Parameters.AddWithValue("$kind", target.Kind.ToString());
            write.Parameters.AddWithValue("$pending", RosterStatus.Pending);
            write.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
            write.Parameters.AddWithValue("$folders", (object?)folders?.Serialize() ?? DBNull.Value);
            write.Parameters.AddWithValue("$mailboxId", (object?)target.MailboxId ?? DBNull.Value);
            write.ExecuteNonQuery();
        });
        return activated;
    }

    public void RecordSuccess(string organization, string mailbox)
    {
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE roster SET status = $synced, last_attempt_utc = $now, last_success_utc = $now,
                    last_error_id = NULL, last_error = NULL, recommended_action = NULL,
                    folder_count = (SELECT COUNT(*) FROM folders f WHERE f.organization = $org AND f.mailbox = $mailbox AND f.selected = 1),
                    item_count = (SELECT COUNT(*) FROM items i WHERE i.organization = $org AND i.mailbox = $mailbox),
                    skipped_count = (SELECT COUNT(*) FROM skipped_items s WHERE s.organization = $org AND s.mailbox = $mailbox)
                WHERE organization = $org AND mailbox = $mailbox
                """;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$synced", RosterStatus.Synced);
            command.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
            command.ExecuteNonQuery();
        });
    }

    public void RecordFailure(string organization, string mailbox, string errorId, string message, string? recommendedAction)
    {
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO roster (organization, mailbox, active, status, activated_utc, last_attempt_utc,
                                    last_error_id, last_error, recommended_action)
                VALUES ($org, $mailbox, 0, $failed, $now, $now, $id, $message, $action)
                ON CONFLICT (organization, mailbox) DO UPDATE SET
                    status = $failed, last_attempt_utc = $now, last_error_id = $id, last_error = $message,
                    recommended_action = $action
                """;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$failed", RosterStatus.Failed);
            command.Parameters.AddWithValue("$now", FormatTime(DateTimeOffset.UtcNow));
            command.Parameters.AddWithValue("$id", errorId);
            command.Parameters.AddWithValue("$message", message);
            command.Parameters.AddWithValue("$action", (object?)recommendedAction ?? DBNull.Value);
            command.ExecuteNonQuery();
        });
    }

    public bool Deactivate(string organization, string mailbox, bool removeData)
    {
        var changed = false;
        WriteRemovingContent((connection, files) =>
        {
            if (removeData)
            {
                files.Collect(connection, "organization = $org AND mailbox = $mailbox", Bind(organization, mailbox));
                Execute(connection, HistorySql.ForgetMailboxRuns, ("org", organization), ("mailbox", mailbox));
            }

            using var command = connection.CreateCommand();
            command.CommandText = removeData
                ? "DELETE FROM roster WHERE organization = $org AND mailbox = $mailbox"
                : "UPDATE roster SET active = 0, status = $inactive WHERE organization = $org AND mailbox = $mailbox AND active = 1";
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$inactive", RosterStatus.Inactive);
            changed = command.ExecuteNonQuery() > 0;
        });
        return changed;
    }

    public string? GetHierarchyState(string organization, string mailbox) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hierarchy_state FROM roster WHERE organization = $org AND mailbox = $mailbox";
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        return command.ExecuteScalar() as string;
    });

    public void ApplyFolderPage(string organization, string mailbox, FolderPage page)
    {
        WriteRemovingContent((connection, files) =>
        {
            RequireOnRoster(connection, organization, mailbox);
            foreach (var change in page.Changes)
            {
                using var command = connection.CreateCommand();
                if (change.Kind == MailChangeKind.Delete || change.Folder is null)
                {
                    // Items go with their folder; a folder the hierarchy says is gone must not keep ghosts.
                    files.Collect(connection, FolderItems, Bind(organization, mailbox, change.FolderId));
                    command.CommandText = ForgetFolderSql;
                }
                else
                {
                    command.CommandText = """
                        INSERT INTO folders (organization, mailbox, folder_id, parent_folder_id, display_name, folder_class)
                        VALUES ($org, $mailbox, $id, $parent, $name, $class)
                        ON CONFLICT (organization, mailbox, folder_id) DO UPDATE SET
                            parent_folder_id = excluded.parent_folder_id, display_name = excluded.display_name,
                            folder_class = excluded.folder_class
                        """;
                    command.Parameters.AddWithValue("$parent", (object?)change.Folder.ParentId ?? DBNull.Value);
                    command.Parameters.AddWithValue("$name", (object?)change.Folder.DisplayName ?? DBNull.Value);
                    command.Parameters.AddWithValue("$class", (object?)change.Folder.FolderClass ?? DBNull.Value);
                }

                command.Parameters.AddWithValue("$org", organization);
                command.Parameters.AddWithValue("$mailbox", mailbox);
                command.Parameters.AddWithValue("$id", change.FolderId);
                command.ExecuteNonQuery();
            }

            using var state = connection.CreateCommand();
            state.CommandText = "UPDATE roster SET hierarchy_state = $state WHERE organization = $org AND mailbox = $mailbox";
            state.Parameters.AddWithValue("$state", page.State);
            state.Parameters.AddWithValue("$org", organization);
            state.Parameters.AddWithValue("$mailbox", mailbox);
            state.ExecuteNonQuery();
        });
    }

    public IReadOnlyList<StoredFolder> GetFolders(string organization, string mailbox) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM folders WHERE organization = $org AND mailbox = $mailbox ORDER BY folder_id";
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        var folders = new List<StoredFolder>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            folders.Add(StoreRows.Folder(reader));
        }

        return folders;
    });

    public void ForgetFolders(string organization, string mailbox, IReadOnlyCollection<string> folderIds)
    {
        WriteRemovingContent((connection, files) =>
        {
            foreach (var folderId in folderIds)
            {
                files.Collect(connection, FolderItems, Bind(organization, mailbox, folderId));
            }

            using var command = connection.CreateCommand();
            command.CommandText = ForgetFolderSql;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            var id = command.Parameters.Add("$id", SqliteType.Text);
            foreach (var folderId in folderIds)
            {
                id.Value = folderId;
                command.ExecuteNonQuery();
            }
        });
    }

    public void SelectFolder(string organization, string mailbox, MailFolder folder, string? wellKnownName)
    {
        Write(connection =>
        {
            RequireOnRoster(connection, organization, mailbox);
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO folders (organization, mailbox, folder_id, parent_folder_id, display_name, folder_class,
                                     well_known_name, selected)
                VALUES ($org, $mailbox, $id, $parent, $name, $class, $wellKnown, 1)
                ON CONFLICT (organization, mailbox, folder_id) DO UPDATE SET
                    selected = 1, well_known_name = COALESCE(excluded.well_known_name, folders.well_known_name)
                """;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$id", folder.Id);
            command.Parameters.AddWithValue("$parent", (object?)folder.ParentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$name", (object?)folder.DisplayName ?? DBNull.Value);
            command.Parameters.AddWithValue("$class", (object?)folder.FolderClass ?? DBNull.Value);
            command.Parameters.AddWithValue("$wellKnown", (object?)wellKnownName ?? DBNull.Value);
            command.ExecuteNonQuery();
        });
    }

    public ItemPageOutcome ApplyItemPage(string organization, string mailbox, string folderId, ItemPage page,
        IReadOnlyDictionary<string, string>? mimePaths)
    {
        int added = 0, updated = 0, deleted = 0, skipped = 0;
        IReadOnlyList<string> unstored = Array.Empty<string>();
        var now = FormatTime(DateTimeOffset.UtcNow);
        WriteRemovingContent((connection, files) =>
        {
            RequireOnRoster(connection, organization, mailbox);
            using var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO items (organization, mailbox, item_id, folder_id, change_key, item_class, internet_message_id,
                                   conversation_id, subject, sender, to_recipients, cc_recipients, sent_utc, received_utc,
                                   size, is_read, has_attachments, mime_path, updated_utc)
                VALUES ($org, $mailbox, $id, $folder, $changeKey, $class, $messageId, $conversation, $subject, $sender,
                        $to, $cc, $sent, $received, $size, $isRead, $attachments, $mime, $now)
                ON CONFLICT (organization, mailbox, item_id) DO UPDATE SET
                    folder_id = excluded.folder_id, change_key = excluded.change_key, item_class = excluded.item_class,
                    internet_message_id = excluded.internet_message_id, conversation_id = excluded.conversation_id,
                    subject = excluded.subject, sender = excluded.sender, to_recipients = excluded.to_recipients,
                    cc_recipients = excluded.cc_recipients, sent_utc = excluded.sent_utc,
                    received_utc = excluded.received_utc, size = excluded.size, is_read = excluded.is_read,
                    has_attachments = excluded.has_attachments,
                    mime_path = CASE WHEN $keepFile THEN COALESCE(excluded.mime_path, items.mime_path) ELSE excluded.mime_path END,
                    updated_utc = excluded.updated_utc
                """;
            var p = ItemParameters(upsert, organization, mailbox, folderId, now);
            var existing = StoredFiles(connection, organization, mailbox, page.Upserts);
            using var rebaseline = RebaselineMatcher.IfAwaiting(connection, organization, mailbox, folderId);

            using var partial = PartialUpdate(connection, organization, mailbox, folderId, now);
            var toReadWhole = new List<string>();
            foreach (var item in page.Upserts)
            {
                var mimePath = mimePaths is not null && mimePaths.TryGetValue(item.Id, out var path) ? path : null;
                var tookOver = false;
                if (item.IsPartial)
                {
                    if (existing.TryGetValue(item.Id, out var known))
                    {
                        files.Replaced(known, mimePath);
                        partial.Bind(item, mimePath);
                        updated += partial.Command.ExecuteNonQuery();
                    }
                    else
                    {
                        toReadWhole.Add(item.Id);
                    }

                    continue;
                }

                if (existing.TryGetValue(item.Id, out var stored))
                {
                    files.Replaced(stored, mimePath);
                    updated++;
                }
                else if (tookOver = rebaseline?.TakeOver(item, mimePath, files) == true)
                {
                    updated++;
                }
                else
                {
                    added++;
                }

                p.Bind(item, mimePath, keepFile: tookOver);
                upsert.ExecuteNonQuery();
                existing[item.Id] = mimePath;
            }

            // A folder's deletes and read flags are about its own items: a message moved under the same id (Graph's
            // immutable ids) may already be stored under the folder it went to, synced first.
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM items WHERE " + FolderItem;
            delete.Parameters.AddWithValue("$org", organization);
            delete.Parameters.AddWithValue("$mailbox", mailbox);
            delete.Parameters.AddWithValue("$folder", folderId);
            var deleteId = delete.Parameters.Add("$id", SqliteType.Text);
            foreach (var id in page.Deletes)
            {
                files.Collect(connection, FolderItem, parameters =>
                {
                    Bind(organization, mailbox, item: id)(parameters);
                    parameters.AddWithValue("$folder", folderId);
                });
                deleteId.Value = id;
                deleted += delete.ExecuteNonQuery();
            }

            using var flag = connection.CreateCommand();
            flag.CommandText = "UPDATE items SET is_read = $read, change_key = COALESCE($changeKey, change_key), updated_utc = $now WHERE " + FolderItem;
            flag.Parameters.AddWithValue("$org", organization);
            flag.Parameters.AddWithValue("$mailbox", mailbox);
            flag.Parameters.AddWithValue("$folder", folderId);
            flag.Parameters.AddWithValue("$now", now);
            var flagId = flag.Parameters.Add("$id", SqliteType.Text);
            var flagRead = flag.Parameters.Add("$read", SqliteType.Integer);
            var flagChangeKey = flag.Parameters.Add("$changeKey", SqliteType.Text);
            foreach (var change in page.ReadFlags)
            {
                flagId.Value = change.ItemId;
                flagRead.Value = change.IsRead ? 1 : 0;
                flagChangeKey.Value = (object?)change.ChangeKey ?? DBNull.Value;
                updated += flag.ExecuteNonQuery();
            }

            skipped = RecordSkipped(connection, organization, mailbox, folderId, page, toReadWhole, now);
            unstored = toReadWhole;

            using var state = connection.CreateCommand();
            state.CommandText = """
                UPDATE folders SET sync_state = $state, synced_utc = $now
                WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder
                """;
            state.Parameters.AddWithValue("$state", page.State);
            state.Parameters.AddWithValue("$now", now);
            state.Parameters.AddWithValue("$org", organization);
            state.Parameters.AddWithValue("$mailbox", mailbox);
            state.Parameters.AddWithValue("$folder", folderId);
            if (state.ExecuteNonQuery() != 1)
            {
                throw RemovedDuringSync(mailbox);
            }
        });
        return new ItemPageOutcome(added, updated, deleted, skipped, unstored);
    }

    public IReadOnlyList<SkippedItem> GetSkippedItems(string organization, string mailbox, string folderId) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT item_id, error_id, reason FROM skipped_items
            WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder ORDER BY item_id
            """;
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        command.Parameters.AddWithValue("$folder", folderId);
        var skipped = new List<SkippedItem>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            skipped.Add(StoreRows.Skipped(reader));
        }

        return skipped;
    });

    // An item the page brought or deleted is no longer skipped; the page's skipped items are (again), with this reason.
    private static int RecordSkipped(SqliteConnection connection, string organization, string mailbox, string folderId, ItemPage page,
        IReadOnlyList<string> toReadWhole, string now)
    {
        if (page.Upserts.Count + page.Deletes.Count > 0)
        {
            using var forget = connection.CreateCommand();
            forget.CommandText = "DELETE FROM skipped_items WHERE organization = $org AND mailbox = $mailbox AND item_id IN (SELECT value FROM json_each($ids))";
            forget.Parameters.AddWithValue("$org", organization);
            forget.Parameters.AddWithValue("$mailbox", mailbox);
            forget.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(StoreRows.ReadOrDeleted(page)));
            forget.ExecuteNonQuery();
        }

        using var remember = connection.CreateCommand();
        remember.CommandText = """
            INSERT INTO skipped_items (organization, mailbox, item_id, folder_id, error_id, reason, first_utc, last_utc)
            VALUES ($org, $mailbox, $id, $folder, $error, $reason, $now, $now)
            ON CONFLICT (organization, mailbox, item_id) DO UPDATE SET
                folder_id = excluded.folder_id, error_id = excluded.error_id, reason = excluded.reason,
                last_utc = excluded.last_utc, attempts = skipped_items.attempts + 1
            """;
        remember.Parameters.AddWithValue("$org", organization);
        remember.Parameters.AddWithValue("$mailbox", mailbox);
        remember.Parameters.AddWithValue("$folder", folderId);
        remember.Parameters.AddWithValue("$now", now);
        return StoreRows.RememberSkipped(page, toReadWhole, remember, remember.Parameters.Add("$id", SqliteType.Text),
            remember.Parameters.Add("$error", SqliteType.Text), remember.Parameters.Add("$reason", SqliteType.Text));
    }

    // The page's items the store has already, with their files: one query for the page instead of one per item.
    private static Dictionary<string, string?> StoredFiles(SqliteConnection connection, string organization, string mailbox, IReadOnlyList<MailItem> items)
    {
        var stored = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (items.Count == 0)
        {
            return stored;
        }

        var ids = new string[items.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = items[i].Id;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT item_id, mime_path FROM items WHERE organization = $org AND mailbox = $mailbox AND item_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            stored[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return stored;
    }

    public void ResetFolder(string organization, string mailbox, string folderId) =>
        ClearFolder(organization, mailbox, folderId, """
            UPDATE folders SET sync_state = NULL WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder;
            UPDATE roster SET status = $incomplete WHERE organization = $org AND mailbox = $mailbox;
            """);

    public void DeselectFolder(string organization, string mailbox, string folderId) =>
        ClearFolder(organization, mailbox, folderId, """
            UPDATE folders SET sync_state = NULL, synced_utc = NULL, selected = 0
            WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder;
            """);

    // A folder's items (and their files) and skipped items, dropped with what <paramref name="then"/> changes, atomically.
    private void ClearFolder(string organization, string mailbox, string folderId, string then)
    {
        WriteRemovingContent((connection, files) =>
        {
            files.Collect(connection, FolderItems, Bind(organization, mailbox, folderId));
            using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM items WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder;
                DELETE FROM skipped_items WHERE organization = $org AND mailbox = $mailbox AND folder_id = $folder;
                """ + "\n" + then;
            command.Parameters.AddWithValue("$incomplete", RosterStatus.Incomplete);
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$folder", folderId);
            command.ExecuteNonQuery();
        });
    }

    public void ForgetProtocolState(string organization)
    {
        Write(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE items SET folder_id = $awaiting WHERE organization = $org;
                DELETE FROM skipped_items WHERE organization = $org;
                DELETE FROM folders WHERE organization = $org;
                UPDATE roster SET hierarchy_state = NULL, folder_count = 0, skipped_count = 0,
                    status = CASE WHEN active = 1 THEN $rebaselining ELSE status END
                WHERE organization = $org;
                """;
            command.Parameters.AddWithValue("$org", organization);
            command.Parameters.AddWithValue("$awaiting", StoreRows.AwaitingRebaseline);
            command.Parameters.AddWithValue("$rebaselining", RosterStatus.Rebaselining);
            command.ExecuteNonQuery();
        });
    }

    public int CountItemsToRebaseline(string organization, string mailbox) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM items WHERE " + FolderItems;
        Bind(organization, mailbox, StoreRows.AwaitingRebaseline)(command.Parameters);
        return Convert.ToInt32(command.ExecuteScalar());
    });

    public int FinishRebaseline(string organization, string mailbox)
    {
        var removed = 0;
        WriteRemovingContent((connection, files) =>
        {
            files.Collect(connection, FolderItems, Bind(organization, mailbox, StoreRows.AwaitingRebaseline));
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM items WHERE " + FolderItems;
            Bind(organization, mailbox, StoreRows.AwaitingRebaseline)(command.Parameters);
            removed = command.ExecuteNonQuery();
        });
        return removed;
    }

    public (int Folders, int Items) CountStored(string organization, string mailbox) => Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COUNT(*) FROM folders WHERE organization = $org AND mailbox = $mailbox AND selected = 1),
                   (SELECT COUNT(*) FROM items WHERE organization = $org AND mailbox = $mailbox)
            """;
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt32(0), reader.GetInt32(1));
    });

    // Disable-InboxSync -RemoveData (or Remove-InboxOrganization) may take a user out while a run syncs them: their next
    // write fails that user alone, with this error, instead of a foreign-key failure.
    private void RequireOnRoster(SqliteConnection connection, string organization, string mailbox)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM roster WHERE organization = $org AND mailbox = $mailbox";
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        if (command.ExecuteScalar() is null)
        {
            throw RemovedDuringSync(mailbox);
        }
    }

    private StoreException RemovedDuringSync(string mailbox) => StoreException.MailboxRemovedDuringSync(Location, mailbox);

    private const string FolderItem = "organization = $org AND mailbox = $mailbox AND folder_id = $folder AND item_id = $id";

    private static Action<SqliteParameterCollection> Bind(string organization, string mailbox, string? folder = null, string? item = null) =>
        parameters =>
        {
            parameters.AddWithValue("$org", organization);
            parameters.AddWithValue("$mailbox", mailbox);
            if ((folder ?? item) is { } id)
            {
                parameters.AddWithValue("$id", id);
            }
        };

    // A partial update (MailItem.Properties) sets only the columns the item carries; the others keep what is stored.
    private static PartialItemUpdate PartialUpdate(SqliteConnection connection, string organization, string mailbox, string folderId, string now)
    {
        var command = connection.CreateCommand();
        command.CommandText = "UPDATE items SET " + StoreRows.PartialItemColumns("$", flag => $"$carries & {flag} <> 0")
            + ", folder_id = $folder, mime_path = $mime, updated_utc = $now WHERE organization = $org AND mailbox = $mailbox AND item_id = $id";
        var carries = command.Parameters.Add("$carries", SqliteType.Integer);
        return new PartialItemUpdate(command, ItemParameters(command, organization, mailbox, folderId, now), carries);
    }

    private sealed class PartialItemUpdate : IDisposable
    {
        private readonly ItemParameterSet _item;
        private readonly SqliteParameter _carries;

        public PartialItemUpdate(SqliteCommand command, ItemParameterSet item, SqliteParameter carries)
        {
            Command = command;
            _item = item;
            _carries = carries;
        }

        public SqliteCommand Command { get; }

        public void Bind(MailItem item, string? mimePath)
        {
            _item.Bind(item, mimePath, keepFile: false);
            _carries.Value = (int)item.Properties;
        }

        public void Dispose() => Command.Dispose();
    }

    private static ItemParameterSet ItemParameters(SqliteCommand command, string organization, string mailbox, string folderId, string now)
    {
        command.Parameters.AddWithValue("$org", organization);
        command.Parameters.AddWithValue("$mailbox", mailbox);
        command.Parameters.AddWithValue("$folder", folderId);
        command.Parameters.AddWithValue("$now", now);
        return new ItemParameterSet(command);
    }

    /// <summary>The per-item parameters of the upsert, created once per page and re-bound for every item.</summary>
    private sealed class ItemParameterSet
    {
        private readonly SqliteParameter[] _parameters;

        public ItemParameterSet(SqliteCommand command)
        {
            _parameters = new[]
            {
                command.Parameters.Add("$id", SqliteType.Text), command.Parameters.Add("$changeKey", SqliteType.Text),
                command.Parameters.Add("$class", SqliteType.Text), command.Parameters.Add("$messageId", SqliteType.Text),
                command.Parameters.Add("$conversation", SqliteType.Text), command.Parameters.Add("$subject", SqliteType.Text),
                command.Parameters.Add("$sender", SqliteType.Text), command.Parameters.Add("$to", SqliteType.Text),
                command.Parameters.Add("$cc", SqliteType.Text), command.Parameters.Add("$sent", SqliteType.Text),
                command.Parameters.Add("$received", SqliteType.Text), command.Parameters.Add("$size", SqliteType.Integer),
                command.Parameters.Add("$isRead", SqliteType.Integer), command.Parameters.Add("$attachments", SqliteType.Integer),
                command.Parameters.Add("$mime", SqliteType.Text), command.Parameters.Add("$keepFile", SqliteType.Integer),
            };
        }

        /// <param name="keepFile">A row a rebaseline took over keeps its file (the same message) when no new one came.</param>
        public void Bind(MailItem item, string? mimePath, bool keepFile)
        {
            object?[] values =
            {
                item.Id, item.ChangeKey, item.ItemClass, item.InternetMessageId, item.ConversationId, item.Subject,
                item.Sender, item.ToRecipients, item.CcRecipients,
                item.Sent is { } sent ? FormatTime(sent) : null,
                item.Received is { } received ? FormatTime(received) : null,
                item.Size, item.IsRead is { } read ? (read ? 1 : 0) : null,
                item.HasAttachments is { } attachments ? (attachments ? 1 : 0) : null,
                mimePath, keepFile ? 1 : 0,
            };
            for (var i = 0; i < values.Length; i++)
            {
                _parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }
}
