using InboxPS.Core.Hosting;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Store;

/// <summary>
/// The store contract for what was synced (issue 18), once for both stores: run records with who, where, how and how
/// they ended (Interrupted when never ended), each mailbox's run history kept short, folder statistics, and item reads
/// that filter in the query and stream.
/// </summary>
public sealed class StoreHistoryContractTests
{
    private const string Org = "contoso";
    private const string Mailbox = "user@contoso.com";

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ARunRecordSaysWhoStartedItWhereHowAndHowItEnded(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var store = test.Store;
        var finished = store.StartRun(Org, "worker-a");
        store.DescribeRun(finished, new SyncRunContext("CONTOSO\\admin", "host-1", "-Folder Inbox (piped mailboxes)"), TimeSpan.FromMinutes(2));
        var running = store.StartRun(Org, "worker-b");
        store.DescribeRun(running, new SyncRunContext("admin", "host-2", "(every activated user)"), TimeSpan.FromMinutes(2));
        var killed = store.StartRun(Org, "worker-c");
        store.DescribeRun(killed, new SyncRunContext("admin", "host-3", "(every activated user)"), TimeSpan.FromMilliseconds(1));

        store.FinishRun(finished, new SyncRunTotals { Users = 2, Synced = 1, Failed = 1, Items = 6, ItemsAdded = 3, ItemsUpdated = 2, ItemsDeleted = 1, Result = SyncRunEnd.Cancelled });
        Thread.Sleep(50);

        var runs = store.GetRuns(Org, 10).ToDictionary(r => r.Worker);
        var record = runs["worker-a"];
        Assert.Equal(("CONTOSO\\admin", "host-1", "-Folder Inbox (piped mailboxes)"), (record.StartedBy, record.Machine, record.Parameters));
        Assert.Equal((SyncRunEnd.Cancelled, 3L, 2L, 1L), (record.Result, record.ItemsAdded, record.ItemsUpdated, record.ItemsDeleted));
        Assert.NotNull(record.Duration);
        Assert.Equal(SyncRunEnd.Running, runs["worker-b"].Result);
        Assert.Equal(SyncRunEnd.Interrupted, runs["worker-c"].Result);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ALiveClaimKeepsARunRunningAndAMailboxRecordRenewsIt(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var store = test.Store;
        var claiming = store.StartRun(Org, "claiming");
        store.DescribeRun(claiming, new SyncRunContext("a", "m", "p"), TimeSpan.FromMilliseconds(1));
        var claim = store.TryClaim(claiming, Mailbox, TimeSpan.FromMinutes(2));
        var recording = store.StartRun(Org, "recording");
        store.DescribeRun(recording, new SyncRunContext("a", "m", "p"), TimeSpan.FromMilliseconds(1));
        Thread.Sleep(50);
        store.RecordMailboxRun(recording, new MailboxRunRecord(Org, "other@contoso.com"), TimeSpan.FromMinutes(2));

        Assert.True(claim.Granted);
        Assert.All(store.GetRuns(Org, 10), r => Assert.Equal(SyncRunEnd.Running, r.Result));
        store.Release(claim, finished: true);
        Assert.Equal(SyncRunEnd.Interrupted, store.GetRuns(Org, 10).Single(r => r.Worker == "claiming").Result);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void EachMailboxKeepsItsNewestRunRecordsWithItsFailures(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var store = test.Store;
        var run = store.StartRun(Org, "w");
        for (var i = 0; i < HistorySql.MailboxRunsKept + 5; i++)
        {
            var failed = i % 3 == 0;
            store.RecordMailboxRun(run, new MailboxRunRecord(Org, Mailbox)
            {
                Status = failed ? "Failed" : "Synced", Duration = TimeSpan.FromMilliseconds(100 + i), Calls = i,
                Throttled = TimeSpan.FromSeconds(1), ItemsAdded = i, ItemsUpdated = 1, ItemsDeleted = 2, ItemsSkipped = 3,
                ErrorId = failed ? $"Error{i}" : null, Message = failed ? "went wrong" : null, RecommendedAction = failed ? "do this" : null,
            }, TimeSpan.FromMinutes(2));
        }

        store.RecordMailboxRun(run, new MailboxRunRecord(Org, "other@contoso.com"), TimeSpan.FromMinutes(2));

        var history = store.GetMailboxRuns(Org, Mailbox.ToUpperInvariant(), 100);
        Assert.Equal(HistorySql.MailboxRunsKept, history.Count);
        var newest = history[0];
        var last = HistorySql.MailboxRunsKept + 4;
        Assert.Equal((run.Id, "w", last, TimeSpan.FromMilliseconds(100 + last), TimeSpan.FromSeconds(1), (last, 1, 2, 3)),
            (newest.RunId, newest.Worker, newest.Calls, newest.Duration, newest.Throttled, (newest.ItemsAdded, newest.ItemsUpdated, newest.ItemsDeleted, newest.ItemsSkipped)));
        var failures = store.GetMailboxRuns(Org, Mailbox, 3, failuresOnly: true);
        Assert.Equal(new[] { "Error24", "Error21", "Error18" }, failures.Select(f => f.ErrorId));
        Assert.Equal(("went wrong", "do this"), (failures[0].Message, failures[0].RecommendedAction));
        Assert.Equal(new[] { Mailbox, "other@contoso.com" }, store.GetRunMailboxes(Org, null).Select(r => r.Mailbox));
        Assert.Equal(HistorySql.MailboxRunsKept + 1, store.GetRunMailboxes(Org, run.Id).Count());
        Assert.Empty(store.GetRunMailboxes(Org, run.Id + 1000));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void RemovingAUsersDataForgetsTheirRunHistoryAndNoOnesElse(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var store = test.Store;
        var other = "other@contoso.com";
        var run = store.StartRun(Org, "w");
        foreach (var mailbox in new[] { Mailbox, other })
        {
            store.Activate(Org, new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
            store.RecordMailboxRun(run, new MailboxRunRecord(Org, mailbox) { Status = "Synced" }, TimeSpan.FromMinutes(2));
            store.RecordMailboxRun(run, new MailboxRunRecord(Org, mailbox) { Status = "Failed", ErrorId = "E" }, TimeSpan.FromMinutes(2));
        }

        // Disable-InboxSync keeps the history; -RemoveData (given the address in other case) forgets it.
        Assert.True(store.Deactivate(Org, Mailbox, removeData: false));
        Assert.Equal(2, store.GetMailboxRuns(Org, Mailbox, 10).Count);
        Assert.True(store.Deactivate(Org, Mailbox.ToUpperInvariant(), removeData: true));

        Assert.Empty(store.GetMailboxRuns(Org, Mailbox, 10));
        Assert.Equal(2, store.GetMailboxRuns(Org, other, 10).Count);
        Assert.Equal(new[] { other }, store.GetRunMailboxes(Org, run.Id).Select(r => r.Mailbox).Distinct());
        Assert.Single(store.GetRuns(Org, 10));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void FolderStatisticsCountItemsSizesUnreadAndSkippedPerFolder(StoreKind kind)
    {
        using var test = WithTwoFolders(kind);
        var store = test.Store;

        var folders = store.GetFolderStatistics(Org, Mailbox).ToDictionary(f => f.FolderId);

        Assert.Equal(("Inbox", "inbox", true, 3, 600L, 2, 1), Figures(folders["F1"]));
        Assert.Equal(("Sent Items", "sentitems", true, 1, 50L, 0, 0), Figures(folders["F2"]));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ItemReadsFilterByFolderDateSenderSubjectAndReadStateAndStreamInOrder(StoreKind kind)
    {
        using var test = WithTwoFolders(kind);
        var store = test.Store;
        string[] Read(ItemQuery query) => store.ReadItems(query).Select(i => i.ItemId).ToArray();
        ItemQuery Query() => new(Org) { Mailbox = Mailbox };

        var all = store.ReadItems(Query()).ToList();
        Assert.Equal(new[] { "A", "B", "C", "S" }, all.Select(i => i.ItemId).OrderBy(i => i));
        var a = all.Single(i => i.ItemId == "A");
        Assert.Equal(("Inbox", "Budget 100% final", "Alice <alice@fabrikam.com>", 100L, false, "/eml/a.eml"), (a.Folder, a.Subject, a.Sender, a.Size, a.IsRead, a.MimePath));
        Assert.Equal(new[] { "S" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, Folder = "sent*" }));
        Assert.Equal(new[] { "S" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, Folder = "SentItems" }));
        Assert.Equal(new[] { "A", "B" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, Sender = "*@FABRIKAM.com>" }).OrderBy(i => i));
        Assert.Equal(new[] { "A" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, Subject = "*100%*" }));
        Assert.Empty(Read(new ItemQuery(Org) { Mailbox = Mailbox, Subject = "*100_*" }));
        Assert.Equal(new[] { "C", "S" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, IsRead = true }).OrderBy(i => i));
        Assert.Equal(new[] { "A", "B" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, IsRead = false }).OrderBy(i => i));
        Assert.Equal(new[] { "B", "C" }, Read(new ItemQuery(Org) { Mailbox = Mailbox, ReceivedAfter = s_day.AddDays(1), ReceivedBefore = s_day.AddDays(3) }).OrderBy(i => i));
        Assert.Empty(Read(new ItemQuery(Org) { Mailbox = "nobody@contoso.com" }));

        // Streamed: the first row comes before the rest are read, and stopping early releases the reader.
        using (var rows = store.ReadItems(Query()).GetEnumerator())
        {
            Assert.True(rows.MoveNext());
        }

        store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s9", true, Array.Empty<MailItem>(), new[] { "B" }, Array.Empty<ReadFlagChange>()), null);
        Assert.Equal(3, store.ReadItems(Query()).Count());
    }

    private static readonly DateTimeOffset s_day = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static (string?, string?, bool, int, long, int, int) Figures(FolderStatistics f) =>
        (f.DisplayName, f.WellKnownName, f.Selected, f.Items, f.Size, f.Unread, f.Skipped);

    private static TestStore WithTwoFolders(StoreKind kind)
    {
        var test = StoreContractTests.WithOrganization(kind);
        var store = test.Store;
        store.Activate(Org, new MailboxTarget(Mailbox, MailboxAddressKind.SmtpAddress));
        store.ApplyFolderPage(Org, Mailbox, new FolderPage("h1", true, new[]
        {
            new FolderChange(MailChangeKind.Upsert, "F1", new MailFolder("F1", null, "Inbox", "IPF.Note")),
            new FolderChange(MailChangeKind.Upsert, "F2", new MailFolder("F2", null, "Sent Items", "IPF.Note")),
        }));
        store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
        store.SelectFolder(Org, Mailbox, new MailFolder("F2", null, "Sent Items", "IPF.Note"), "sentitems");
        store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s1", true, new[]
        {
            new MailItem("A") { Subject = "Budget 100% final", Sender = "Alice <alice@fabrikam.com>", Received = s_day, Size = 100, IsRead = false },
            new MailItem("B") { Subject = "Lunch", Sender = "Bob <bob@fabrikam.com>", Received = s_day.AddDays(1), Size = 200, IsRead = false },
            new MailItem("C") { Subject = "Report", Sender = "carol@contoso.com", Received = s_day.AddDays(2), Size = 300, IsRead = true },
        }, Array.Empty<string>(), Array.Empty<ReadFlagChange>(), new[] { new SkippedItem("X", "ErrorItemCorrupt", "corrupt") }),
            new Dictionary<string, string> { ["A"] = "/eml/a.eml" });
        store.ApplyItemPage(Org, Mailbox, "F2", new ItemPage("s1", true, new[]
        {
            new MailItem("S") { Subject = "Re: Lunch", Sender = "user@contoso.com", Received = s_day.AddDays(5), Size = 50, IsRead = true },
        }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()), null);
        return test;
    }
}
