using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Store;

/// <summary>
/// Rows to objects for both stores, over ADO.NET's common reader: SQLite keeps times as ISO 8601 text and flags as
/// integers, PostgreSQL as timestamptz and boolean; the readers here accept either.
/// </summary>
internal static class StoreRows
{
    // The item columns a MailItem property fills, with the parameter name both stores' upserts give it.
    private static readonly (string Column, string Parameter, MailItemProperties Property)[] s_itemColumns =
    {
        ("change_key", "changeKey", MailItemProperties.ChangeKey), ("item_class", "class", MailItemProperties.ItemClass),
        ("internet_message_id", "messageId", MailItemProperties.InternetMessageId),
        ("conversation_id", "conversation", MailItemProperties.ConversationId), ("subject", "subject", MailItemProperties.Subject),
        ("sender", "sender", MailItemProperties.Sender), ("to_recipients", "to", MailItemProperties.ToRecipients),
        ("cc_recipients", "cc", MailItemProperties.CcRecipients), ("sent_utc", "sent", MailItemProperties.Sent),
        ("received_utc", "received", MailItemProperties.Received), ("size", "size", MailItemProperties.Size),
        ("is_read", "isRead", MailItemProperties.IsRead), ("has_attachments", "attachments", MailItemProperties.HasAttachments),
    };

    /// <summary>
    /// The folder_id of items kept from an organization's previous access type until a run matches them: no protocol
    /// has an empty folder id, and the items_by_folder index finds them.
    /// </summary>
    public const string AwaitingRebaseline = "";

    public static string? String(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static DateTimeOffset? Time(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal) switch
        {
            string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
            DateTimeOffset time => time.ToUniversalTime(),
            var other => throw new InvalidCastException($"Column {column} holds {other.GetType().Name}, not a time."),
        };
    }

    public static bool Flag(DbDataReader reader, string column) =>
        Convert.ToBoolean(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture);

    public static int Int(DbDataReader reader, string column) =>
        Convert.ToInt32(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture);

    public static long Long(DbDataReader reader, string column) =>
        Convert.ToInt64(reader.GetValue(reader.GetOrdinal(column)), CultureInfo.InvariantCulture);

    public static RosterEntry RosterEntry(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("organization")), reader.GetString(reader.GetOrdinal("mailbox")))
        {
            AddressKind = (MailboxAddressKind)Enum.Parse(typeof(MailboxAddressKind), reader.GetString(reader.GetOrdinal("address_kind"))),
            Active = Flag(reader, "active"),
            Status = reader.GetString(reader.GetOrdinal("status")),
            ActivatedOn = Time(reader, "activated_utc")!.Value,
            LastAttempt = Time(reader, "last_attempt_utc"),
            LastSuccess = Time(reader, "last_success_utc"),
            LastErrorId = String(reader, "last_error_id"),
            LastError = String(reader, "last_error"),
            RecommendedAction = String(reader, "recommended_action"),
            Folders = Int(reader, "folder_count"),
            Items = Int(reader, "item_count"),
            SkippedItems = Int(reader, "skipped_count"),
            FolderChoice = String(reader, "folder_choice") is { } choice ? Sync.FolderChoice.Parse(choice) : null,
            Worker = String(reader, "last_worker"),
        };

    public static StoredFolder Folder(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("folder_id")))
        {
            ParentFolderId = String(reader, "parent_folder_id"),
            DisplayName = String(reader, "display_name"),
            FolderClass = String(reader, "folder_class"),
            WellKnownName = String(reader, "well_known_name"),
            Selected = Flag(reader, "selected"),
            SyncState = String(reader, "sync_state"),
        };

    public static OrganizationProfile Organization(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("name")))
        {
            AccessType = (AccessType)Enum.Parse(typeof(AccessType), reader.GetString(reader.GetOrdinal("access_type")), true),
            EwsUrl = String(reader, "ews_url") is { } ews ? new Uri(ews, UriKind.Absolute) : null,
            Environment = (ExchangeEnvironment)Enum.Parse(typeof(ExchangeEnvironment), reader.GetString(reader.GetOrdinal("environment")), true),
            GraphUrl = String(reader, "graph_url") is { } graph ? new Uri(graph, UriKind.Absolute) : null,
            Proxy = String(reader, "proxy_url") is { } proxy ? new Uri(proxy, UriKind.Absolute) : null,
            ProxyUseDefaultCredentials = Flag(reader, "proxy_default_credentials"),
            TenantId = String(reader, "tenant_id"),
            ClientId = String(reader, "client_id"),
            Authority = String(reader, "authority") is { } authority ? new Uri(authority, UriKind.Absolute) : null,
            ServiceAccount = String(reader, "service_account"),
            CreatedOn = Time(reader, "created_utc")!.Value,
            ModifiedOn = Time(reader, "modified_utc")!.Value,
        };

    public static SyncRunRecord Run(DbDataReader reader) =>
        new(Long(reader, "id"), reader.GetString(reader.GetOrdinal("organization")), reader.GetString(reader.GetOrdinal("worker")))
        {
            Started = Time(reader, "started_utc")!.Value,
            Ended = Time(reader, "ended_utc"),
            Users = Int(reader, "users"),
            Synced = Int(reader, "synced"),
            Failed = Int(reader, "failed"),
            Skipped = Int(reader, "skipped"),
            Items = Long(reader, "items"),
            Throttled = TimeSpan.FromMilliseconds(Long(reader, "throttled_ms")),
            Result = reader.GetString(reader.GetOrdinal("shown_result")),
            StartedBy = String(reader, "started_by"),
            Machine = String(reader, "machine"),
            Parameters = String(reader, "parameters"),
            ItemsAdded = Long(reader, "items_added"),
            ItemsUpdated = Long(reader, "items_updated"),
            ItemsDeleted = Long(reader, "items_deleted"),
        };

    public static MailboxRunRecord MailboxRun(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("organization")), reader.GetString(reader.GetOrdinal("mailbox")))
        {
            RunId = Long(reader, "run_id"),
            Worker = String(reader, "worker"),
            Status = reader.GetString(reader.GetOrdinal("status")),
            Ended = Time(reader, "ended_utc")!.Value,
            Duration = TimeSpan.FromMilliseconds(Long(reader, "duration_ms")),
            Calls = Int(reader, "calls"),
            Throttled = TimeSpan.FromMilliseconds(Long(reader, "throttled_ms")),
            ItemsAdded = Int(reader, "items_added"),
            ItemsUpdated = Int(reader, "items_updated"),
            ItemsDeleted = Int(reader, "items_deleted"),
            ItemsSkipped = Int(reader, "items_skipped"),
            ErrorId = String(reader, "error_id"),
            Message = String(reader, "message"),
            RecommendedAction = String(reader, "recommended_action"),
        };

    public static FolderStatistics FolderStatistics(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("folder_id")))
        {
            DisplayName = String(reader, "display_name"),
            WellKnownName = String(reader, "well_known_name"),
            Selected = Flag(reader, "selected"),
            Items = Int(reader, "item_count"),
            Size = Long(reader, "item_size"),
            Unread = Int(reader, "unread_count"),
            Skipped = Int(reader, "skipped_count"),
        };

    public static StoredItem StoredItem(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("organization")), reader.GetString(reader.GetOrdinal("mailbox")),
            reader.GetString(reader.GetOrdinal("folder_id")), reader.GetString(reader.GetOrdinal("item_id")))
        {
            Folder = String(reader, "folder_name"),
            Received = Time(reader, "received_utc"),
            Sender = String(reader, "sender"),
            Subject = String(reader, "subject"),
            Size = NullableLong(reader, "size"),
            IsRead = NullableFlag(reader, "is_read"),
            HasAttachments = NullableFlag(reader, "has_attachments"),
            Sent = Time(reader, "sent_utc"),
            ToRecipients = String(reader, "to_recipients"),
            CcRecipients = String(reader, "cc_recipients"),
            InternetMessageId = String(reader, "internet_message_id"),
            ItemClass = String(reader, "item_class"),
            MimePath = String(reader, "mime_path"),
        };

    private static long? NullableLong(DbDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : Long(reader, column);

    private static bool? NullableFlag(DbDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : Flag(reader, column);

    /// <summary>
    /// The run's result as shown: its recorded end, else Running while it shows signs of life (a live claim, or a mailbox
    /// finished within its claim time), else Interrupted. The same CASE for both stores, over their own parameter marks.
    /// </summary>
    public static string ShownRunResult(string now) => $"""
        CASE WHEN r.ended_utc IS NOT NULL THEN COALESCE(r.result, '{SyncRunEnd.Completed}')
             WHEN COALESCE(r.alive_until_utc, r.started_utc) > {now}
               OR EXISTS (SELECT 1 FROM mailbox_leases l WHERE l.holder_token = r.token AND l.expires_utc > {now})
             THEN '{SyncRunEnd.Running}' ELSE '{SyncRunEnd.Interrupted}' END AS shown_result
        """;

    /// <summary>Keeps the newest <paramref name="keep"/> run records of a mailbox (its last run and error history).</summary>
    public static string PruneMailboxRuns(string mark, int keep) => $"""
        DELETE FROM mailbox_runs WHERE organization = {mark}org AND mailbox = {mark}mailbox AND id <= (
            SELECT id FROM mailbox_runs WHERE organization = {mark}org AND mailbox = {mark}mailbox
            ORDER BY id DESC LIMIT 1 OFFSET {keep})
        """;

    public static LeaseRow Lease(DbDataReader reader) =>
        new(String(reader, "holder_token"), String(reader, "holder"), Time(reader, "expires_utc"),
            String(reader, "finished_token"), String(reader, "finished_by"), Time(reader, "finished_utc"));

    public static SkippedItem Skipped(DbDataReader reader) =>
        new(reader.GetString(reader.GetOrdinal("item_id")), reader.GetString(reader.GetOrdinal("error_id")),
            reader.GetString(reader.GetOrdinal("reason")));

    /// <summary>
    /// The SET list of a partial item update: each column is set from its parameter (<paramref name="prefix"/> + the name
    /// both stores' upserts give it) when <paramref name="carries"/> (given the property's flag value) holds for the item,
    /// and keeps what is stored otherwise.
    /// </summary>
    public static string PartialItemColumns(string prefix, Func<int, string> carries)
    {
        var columns = new List<string>(s_itemColumns.Length);
        foreach (var (column, parameter, property) in s_itemColumns)
        {
            columns.Add($"{column} = CASE WHEN {carries((int)property)} THEN {prefix}{parameter} ELSE {column} END");
        }

        return string.Join(", ", columns);
    }

    /// <summary>The ids a page brought or deleted: none of them is a skipped item any more.</summary>
    public static string[] ReadOrDeleted(ItemPage page)
    {
        var ids = new string[page.Upserts.Count + page.Deletes.Count];
        for (var i = 0; i < page.Upserts.Count; i++)
        {
            ids[i] = page.Upserts[i].Id;
        }

        for (var i = 0; i < page.Deletes.Count; i++)
        {
            ids[page.Upserts.Count + i] = page.Deletes[i];
        }

        return ids;
    }

    /// <summary>Records the page's skipped items (again) with their reasons; returns how many.</summary>
    /// <param name="toReadWhole">Partial updates of items not stored yet: remembered as skipped, so the engine's read of
    /// them whole (or, after a crash, the next run's) brings them.</param>
    public static int RememberSkipped(ItemPage page, IReadOnlyList<string> toReadWhole, DbCommand remember, DbParameter id,
        DbParameter error, DbParameter reason)
    {
        foreach (var item in page.Skipped)
        {
            id.Value = item.ItemId;
            error.Value = item.ErrorId;
            reason.Value = item.Reason;
            remember.ExecuteNonQuery();
        }

        foreach (var itemId in toReadWhole)
        {
            id.Value = itemId;
            error.Value = SkippedItem.PartialChangeOfUnstoredItem;
            reason.Value = "A change brought only some of its properties before the item was stored, so it is read whole.";
            remember.ExecuteNonQuery();
        }

        return page.Skipped.Count;
    }

    /// <summary>The last of each item a page names more than once (the later change wins), in page order.</summary>
    /// <param name="repeats">How many earlier mentions were dropped.</param>
    public static IReadOnlyList<MailItem> LastOfEach(IReadOnlyList<MailItem> items, out int repeats)
    {
        var last = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            last[items[i].Id] = i;
        }

        repeats = items.Count - last.Count;
        if (repeats == 0)
        {
            return items;
        }

        var kept = new List<MailItem>(last.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (last[items[i].Id] == i)
            {
                kept.Add(items[i]);
            }
        }

        return kept;
    }

    /// <summary>
    /// The roster in keyset pages of <paramref name="pageSize"/>: <paramref name="readPage"/> gets the last
    /// (organization, mailbox) read, or nulls for the first page. A bounded page in memory, no transaction held between.
    /// </summary>
    public static IEnumerable<RosterEntry> RosterPages(Func<string?, string?, int, List<RosterEntry>> readPage, int pageSize = 500)
    {
        string? lastOrganization = null;
        string? lastMailbox = null;
        while (true)
        {
            var page = readPage(lastOrganization, lastMailbox, pageSize);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < pageSize)
            {
                yield break;
            }

            lastOrganization = page[page.Count - 1].Organization;
            lastMailbox = page[page.Count - 1].Mailbox;
        }
    }
}
