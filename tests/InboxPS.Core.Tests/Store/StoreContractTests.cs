using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Store;

/// <summary>
/// The store contract, once, for both stores: every test runs on SQLite and on PostgreSQL (issue 16). Pages applied
/// atomically with their state, the roster, folders, organizations, migration, and concurrent writers.
/// </summary>
public sealed class StoreContractTests
{
    private const string Org = "contoso";
    private const string Mailbox = "user@contoso.com";
    private static readonly MailboxTarget s_target = new(Mailbox, MailboxAddressKind.SmtpAddress);

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void NewStoreHasNoOrganizations(StoreKind kind)
    {
        using var test = TestStore.Open(kind);

        Assert.Empty(test.Store.GetOrganizations());
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void OrganizationRoundTripsAndNameIsCaseInsensitive(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile("Contoso")
        {
            AccessType = AccessType.BasicImpersonation,
            EwsUrl = new Uri("https://mail.contoso.com/EWS/Exchange.asmx"),
            Environment = ExchangeEnvironment.USGovGCCHigh,
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "00000000-0000-0000-0000-000000000001",
            ServiceAccount = "svc-inbox@contoso.com",
        });

        var reopened = test.Reopen();
        var org = Assert.IsType<OrganizationProfile>(reopened.GetOrganization("CONTOSO"));
        Assert.Equal("Contoso", org.Name);
        Assert.Equal(AccessType.BasicImpersonation, org.AccessType);
        Assert.Equal(new Uri("https://mail.contoso.com/EWS/Exchange.asmx"), org.EwsUrl);
        Assert.Equal(ExchangeEnvironment.USGovGCCHigh, org.Environment);
        Assert.Equal("svc-inbox@contoso.com", org.ServiceAccount);
        Assert.InRange(org.CreatedOn, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.True(reopened.RemoveOrganization("contoso"));
        Assert.False(reopened.RemoveOrganization("contoso"));
        Assert.Null(reopened.GetOrganization("Contoso"));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void NewerSchemaIsRefusedWithLocationAndAdvice(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Scalar(kind == StoreKind.Sqlite ? "PRAGMA user_version = 99" : "UPDATE inboxps_schema SET version = 99");

        var error = Assert.Throws<StoreException>(() => test.Reopen());

        Assert.Equal("StoreSchemaTooNew", error.ErrorId);
        Assert.Contains(test.Store.Location, error.Message);
        Assert.Contains("Update the InboxPS module", error.RecommendedAction);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ReopeningACurrentStoreMigratesNothingAndKeepsTheData(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        var version = Convert.ToInt64(test.Scalar(kind == StoreKind.Sqlite ? "PRAGMA user_version" : "SELECT version FROM inboxps_schema"));

        var reopened = test.Reopen();

        Assert.Equal(kind == StoreKind.Sqlite ? StoreSchema.CurrentVersion : PostgresSchema.CurrentVersion, version);
        Assert.NotNull(reopened.GetOrganization(Org));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ActivateReportsNewOnlyOnceAndAgainAfterDeactivation(StoreKind kind)
    {
        using var test = WithOrganization(kind);
        var store = test.Store;

        Assert.True(store.Activate(Org, s_target));
        Assert.False(store.Activate(Org, new MailboxTarget("USER@contoso.com", MailboxAddressKind.SmtpAddress)));
        Assert.True(store.Deactivate(Org, Mailbox, removeData: false));
        Assert.False(store.Deactivate(Org, Mailbox, removeData: false));
        Assert.True(store.Activate(Org, s_target));
        Assert.Single(store.GetRoster(Org, activeOnly: true));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ItemPageCountsAddsUpdatesDeletesAndReadFlagsAndAdvancesTheState(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;

        var first = store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, Items("A", "B", "C")), null);
        var second = store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s2", true, Items("A", "D"), new[] { "B", "missing" }, new[] { new ReadFlagChange("C", true) }), null);

        Assert.Equal((3, 0, 0), (first.Added, first.Updated, first.Deleted));
        Assert.Equal((1, 2, 1), (second.Added, second.Updated, second.Deleted));
        Assert.Equal("s2", Assert.Single(store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 3), store.CountStored(Org, Mailbox));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AFailedPageLeavesNeitherItemsNorState(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;

        // The second item breaks a constraint after the first was written: the whole page, state included, must roll back.
        Assert.ThrowsAny<Exception>(() => store.ApplyItemPage(Org, Mailbox, "F1",
            Page("s1", true, new[] { new MailItem("A"), new MailItem(null!) }), null));

        Assert.Null(Assert.Single(store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 0), store.CountStored(Org, Mailbox));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ItemPageStoresTheMimePathsItIsGivenAndNothingElse(StoreKind kind)
    {
        using var test = WithInbox(kind);

        test.Store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A", "B")),
            new Dictionary<string, string> { ["A"] = "/content/a.eml" });

        Assert.Equal(new[] { ("A", (string?)"/content/a.eml"), ("B", null) },
            test.Pairs("SELECT item_id, mime_path FROM items ORDER BY item_id"));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ItemPropertiesRoundTrip(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var sent = new DateTimeOffset(2026, 3, 1, 8, 30, 0, TimeSpan.FromHours(2));
        test.Store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, new[]
        {
            new MailItem("A") { Subject = "Ünïcode ✓", Sender = "a@contoso.com", Sent = sent, Size = 5_000_000_000, IsRead = true, HasAttachments = false },
        }), null);

        Assert.Equal(new[] { ("Ünïcode ✓", (string?)"a@contoso.com") }, test.Pairs("SELECT subject, sender FROM items"));
        Assert.Equal(5_000_000_000L, Convert.ToInt64(test.Scalar("SELECT size FROM items")));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ResetFolderForgetsItsItemsAndState(StoreKind kind)
    {
        using var test = WithInbox(kind);
        test.Store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A")), null);

        test.Store.ResetFolder(Org, Mailbox, "F1");

        Assert.Null(Assert.Single(test.Store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 0), test.Store.CountStored(Org, Mailbox));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void HierarchyPagesAddAndRemoveFoldersWithTheirItemsAndKeepTheState(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A")), null);

        store.ApplyFolderPage(Org, Mailbox, new FolderPage("h1", false, new[]
        {
            new FolderChange(MailChangeKind.Upsert, "F2", new MailFolder("F2", "root", "Projects", "IPF.Note")),
        }));
        store.ApplyFolderPage(Org, Mailbox, new FolderPage("h2", true, new[] { new FolderChange(MailChangeKind.Delete, "F1", null) }));

        Assert.Equal("h2", store.GetHierarchyState(Org, Mailbox));
        var folder = Assert.Single(store.GetFolders(Org, Mailbox));
        Assert.Equal(("F2", "Projects", false), (folder.FolderId, folder.DisplayName, folder.Selected));
        Assert.Equal((0, 0), store.CountStored(Org, Mailbox));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void SuccessAndFailureAreRecordedOnTheRoster(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A", "B")), null);

        store.RecordSuccess(Org, Mailbox);
        var synced = Assert.IsType<RosterEntry>(store.GetRosterEntry(Org, "USER@contoso.com"));
        store.RecordFailure(Org, Mailbox, "EwsAccessDenied", "Denied.", "Grant it.");
        var failed = Assert.IsType<RosterEntry>(store.GetRosterEntry(Org, Mailbox));

        Assert.Equal((RosterStatus.Synced, 1, 2), (synced.Status, synced.Folders, synced.Items));
        Assert.NotNull(synced.LastSuccess);
        Assert.Equal((RosterStatus.Failed, "EwsAccessDenied", "Grant it.", true), (failed.Status, failed.LastErrorId, failed.RecommendedAction, failed.Active));
        Assert.Equal(synced.LastSuccess, failed.LastSuccess);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void FailureIsRecordedForUsersNotOnTheRosterAsInactive(StoreKind kind)
    {
        using var test = WithOrganization(kind);
        test.Store.RecordFailure(Org, "ghost@contoso.com", "EwsMailboxNotFound", "No mailbox.", "Check the address.");

        var entry = Assert.IsType<RosterEntry>(test.Store.GetRosterEntry(Org, "ghost@contoso.com"));
        Assert.False(entry.Active);
        Assert.Equal(RosterStatus.Failed, entry.Status);
        Assert.Equal("EwsMailboxNotFound", entry.LastErrorId);
        Assert.Empty(test.Store.GetRoster(Org, activeOnly: true));
        Assert.Single(test.Store.GetRoster(Org, activeOnly: false));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void RosterIsReadInPagesInMailboxOrder(StoreKind kind)
    {
        using var test = WithOrganization(kind);
        for (var i = 0; i < 1203; i++)
        {
            test.Store.Activate(Org, new MailboxTarget($"u{i:0000}@contoso.com", MailboxAddressKind.PrincipalName));
        }

        var all = test.Store.GetRoster(Org, activeOnly: true).Select(e => e.Mailbox).ToList();

        Assert.Equal(1203, all.Count);
        Assert.Equal(all.OrderBy(m => m, StringComparer.Ordinal), all);
        Assert.Equal(all.Count, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(test.Store.GetRoster(Org, activeOnly: true), e => Assert.Equal(MailboxAddressKind.PrincipalName, e.AddressKind));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void RemovingTheOrganizationRemovesItsRosterItemsClaimsAndRuns(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A")), null);
        var run = store.StartRun(Org, "w1");
        store.Release(store.TryClaim(run, Mailbox, TimeSpan.FromMinutes(1)), finished: true);

        store.RemoveOrganization(Org);

        Assert.Null(store.GetRosterEntry(Org, Mailbox));
        Assert.Equal((0, 0), store.CountStored(Org, Mailbox));
        Assert.Empty(store.GetRuns(null, 10));
        Assert.Equal(0L, Convert.ToInt64(test.Scalar("SELECT count(*) FROM mailbox_leases")));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ConcurrentWritersOnSeveralStoreObjectsLoseNothing(StoreKind kind)
    {
        // Several workers (store objects, as in several processes) each applying pages for mailboxes of their own while
        // activating others: every page lands with its state.
        using var test = WithOrganization(kind);
        var stores = Enumerable.Range(0, 4).Select(_ => test.Reopen()).ToArray();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, m =>
        {
            var store = stores[m % stores.Length];
            var mailbox = $"m{m:00}@contoso.com";
            store.Activate(Org, new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
            store.SelectFolder(Org, mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
            for (var page = 0; page < 10; page++)
            {
                store.ApplyItemPage(Org, mailbox, "F1",
                    Page($"s{page}", page == 9, Enumerable.Range(0, 20).Select(i => new MailItem($"{m}-{page}-{i}")).ToArray()), null);
            }
        });

        Assert.Equal(16 * 10 * 20L, Convert.ToInt64(test.Scalar("SELECT count(*) FROM items")));
        Assert.All(test.Store.GetRoster(Org, activeOnly: true), e => Assert.Equal("s9", test.Store.GetFolders(Org, e.Mailbox).Single().SyncState));
    }

    internal static TestStore WithOrganization(StoreKind kind)
    {
        var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        return test;
    }

    private static TestStore WithInbox(StoreKind kind)
    {
        var test = WithOrganization(kind);
        test.Store.Activate(Org, s_target);
        test.Store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
        return test;
    }

    private static ItemPage Page(string state, bool last, MailItem[] upserts) =>
        new(state, last, upserts, Array.Empty<string>(), Array.Empty<ReadFlagChange>());

    private static MailItem[] Items(params string[] ids) =>
        ids.Select(id => new MailItem(id) { ChangeKey = "ck-" + id, Subject = "Subject " + id, IsRead = false }).ToArray();
}
