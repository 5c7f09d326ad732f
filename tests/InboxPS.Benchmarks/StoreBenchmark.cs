using System.Diagnostics;
using System.Globalization;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using Npgsql;

namespace InboxPS.Benchmarks;

/// <summary>
/// ApplyItemPage, the write a big mailbox's sync makes per page: pages of 512 new items (an activation), then the same
/// pages again (every item updated). SQLite always; PostgreSQL too when $env:INBOXPS_TEST_POSTGRES names a server (the
/// superuser connection string tools/InboxPostgres.psm1 sets), in a schema of its own dropped afterwards. Each round
/// syncs a fresh mailbox; the median round is reported. MB/s counts the text of the items' properties.
/// </summary>
internal static class StoreBenchmark
{
    private const int PageItems = 512;
    private const int Pages = 8;
    private const int Rounds = 5;
    private const string Organization = "contoso";

    public static Task<IReadOnlyList<BenchmarkRow>> RunAsync()
    {
        var rows = new List<BenchmarkRow>();
        var folder = Directory.CreateTempSubdirectory("inboxps-store-bench-");
        try
        {
            using var sqlite = SqliteInboxStore.Open(Path.Combine(folder.FullName, "inboxps.db"));
            rows.AddRange(Measure("SqliteInboxStore.ApplyItemPage", sqlite));
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        if (Environment.GetEnvironmentVariable("INBOXPS_TEST_POSTGRES") is { Length: > 0 } server)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N").Substring(0, 12);
            Execute(server, $"CREATE SCHEMA {schema}");
            try
            {
                var setting = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
                using var postgres = PostgresInboxStore.Open(PostgresConnectionSettings.Parse(setting));
                rows.AddRange(Measure("PostgresInboxStore.ApplyItemPage", postgres));
            }
            finally
            {
                Execute(server, $"DROP SCHEMA {schema} CASCADE");
            }
        }

        return Task.FromResult<IReadOnlyList<BenchmarkRow>>(rows);
    }

    private static IEnumerable<BenchmarkRow> Measure(string name, IInboxStore store)
    {
        store.SaveOrganization(new OrganizationProfile(Organization));
        var added = new List<double>();
        var updated = new List<double>();
        long textBytes = 0;
        long allocated = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var mailbox = string.Create(CultureInfo.InvariantCulture, $"user{round}@contoso.test");
            store.Activate(Organization, new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
            store.SelectFolder(Organization, mailbox, new MailFolder("inbox-" + mailbox, null, "Inbox", "IPF.Note"), "inbox");
            var pages = Enumerable.Range(0, Pages).Select(page => Page(mailbox, page)).ToArray();
            textBytes = pages.Sum(p => p.Upserts.Sum(TextBytes)) / Pages;

            var before = GC.GetTotalAllocatedBytes(precise: true);
            added.Add(ItemsPerSecond(store, mailbox, pages));
            allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / Pages;
            updated.Add(ItemsPerSecond(store, mailbox, pages));
        }

        var payload = string.Create(CultureInfo.InvariantCulture, $"{Pages} pages of {PageItems} items, {textBytes / 1024.0:F0} KB of text a page");
        yield return Row(name + ", new items", payload, Median(added), textBytes, allocated);
        yield return Row(name + ", every item updated", payload, Median(updated), textBytes, allocated);
    }

    private static BenchmarkRow Row(string name, string payload, double itemsPerSecond, long textBytesPerPage, long allocatedPerPage) =>
        new(name, payload, itemsPerSecond / PageItems * textBytesPerPage / (1024 * 1024), allocatedPerPage,
            string.Create(CultureInfo.InvariantCulture, $"{itemsPerSecond:F0} items/s, {PageItems / itemsPerSecond * 1000:F1} ms a page"));

    private static double ItemsPerSecond(IInboxStore store, string mailbox, ItemPage[] pages)
    {
        var clock = Stopwatch.StartNew();
        foreach (var page in pages)
        {
            store.ApplyItemPage(Organization, mailbox, "inbox-" + mailbox, page, null);
        }

        return Pages * PageItems / clock.Elapsed.TotalSeconds;
    }

    private static ItemPage Page(string mailbox, int page)
    {
        var items = new MailItem[PageItems];
        for (var i = 0; i < items.Length; i++)
        {
            var n = page * PageItems + i;
            var when = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n);
            items[i] = new MailItem(string.Create(CultureInfo.InvariantCulture, $"AAMkADk{mailbox}{n:D8}AAAAAAEMAAA="))
            {
                ChangeKey = string.Create(CultureInfo.InvariantCulture, $"CQAAABYAAAA{n:D8}"),
                ItemClass = "IPM.Note",
                InternetMessageId = string.Create(CultureInfo.InvariantCulture, $"<{n}.{mailbox}@mail.contoso.test>"),
                ConversationId = string.Create(CultureInfo.InvariantCulture, $"AAQkADk{n / 4:D8}="),
                Subject = string.Create(CultureInfo.InvariantCulture, $"Quarterly report, draft {n} for review"),
                Sender = "Bob Example <bob@contoso.test>",
                ToRecipients = "Alice Example <alice@contoso.test>; Carol Example <carol@contoso.test>",
                Sent = when,
                Received = when.AddSeconds(3),
                Size = 4096 + n % 1000,
                IsRead = n % 3 == 0,
                HasAttachments = n % 7 == 0,
            };
        }

        return new ItemPage(string.Create(CultureInfo.InvariantCulture, $"state-{page}"), page == Pages - 1, items,
            Array.Empty<string>(), Array.Empty<ReadFlagChange>());
    }

    private static long TextBytes(MailItem item) =>
        new[] { item.Id, item.ChangeKey, item.ItemClass, item.InternetMessageId, item.ConversationId, item.Subject, item.Sender, item.ToRecipients }
            .Sum(text => (long)(text?.Length ?? 0));

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
