using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Store;

/// <summary>
/// The store contract, once, for both stores: every test runs on SQLite and on PostgreSQL (issue 16). Pages applied
/// atomically with their state, the roster, folders, organizations, migration, and concurrent writers; skipped items,
/// forgotten folders, .eml files deleted with their items and writes for a removed user (issue 17).
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
    public void FolderChoiceIsStoredAndKeptWhenActivatedWithoutOne(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        var choice = new FolderChoice(new[] { "Inbox", "Drafts" }, false);

        test.Store.Activate(Org, s_target, choice);
        test.Store.Activate(Org, s_target);

        var reopened = test.Reopen();
        Assert.Equal(choice, reopened.GetRosterEntry(Org, Mailbox)!.FolderChoice);
        reopened.Activate(Org, s_target, FolderChoice.Default);
        Assert.Equal(FolderChoice.Default, reopened.GetRosterEntry(Org, Mailbox)!.FolderChoice);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void GraphUrlRoundTrips(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile(Org)
        {
            AccessType = AccessType.GraphAppOnly,
            GraphUrl = new Uri("https://graph.contoso.com/v1.0/"),
        });

        var org = test.Reopen().GetOrganization(Org)!;
        Assert.Equal(AccessType.GraphAppOnly, org.AccessType);
        Assert.Equal(new Uri("https://graph.contoso.com/v1.0/"), org.GraphUrl);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ProxyRoundTrips(StoreKind kind)
    {
        using var test = TestStore.Open(kind);
        test.Store.SaveOrganization(new OrganizationProfile(Org) { Proxy = new Uri("http://proxy.contoso.com:8080/"), ProxyUseDefaultCredentials = true });
        test.Store.SaveOrganization(new OrganizationProfile("other"));

        var reopened = test.Reopen();
        var org = reopened.GetOrganization(Org)!;
        Assert.Equal(new Uri("http://proxy.contoso.com:8080/"), org.Proxy);
        Assert.True(org.ProxyUseDefaultCredentials);
        Assert.Null(reopened.GetOrganization("other")!.Proxy);
        Assert.False(reopened.GetOrganization("other")!.ProxyUseDefaultCredentials);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ForgetProtocolStateKeepsTheItemsForARebaselineAndDropsFoldersSkippedItemsAndHierarchyState(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A", "B"), Skipped("X")), null);
        store.ApplyFolderPage(Org, Mailbox, new FolderPage("h1", true, Array.Empty<FolderChange>()));
        store.RecordSuccess(Org, Mailbox);

        store.ForgetProtocolState(Org);

        Assert.Empty(store.GetFolders(Org, Mailbox));
        Assert.Empty(store.GetSkippedItems(Org, Mailbox, "F1"));
        Assert.Equal((0, 2), store.CountStored(Org, Mailbox));
        Assert.Equal(2, store.CountItemsToRebaseline(Org, Mailbox));
        Assert.Null(store.GetHierarchyState(Org, Mailbox));
        var entry = store.GetRosterEntry(Org, Mailbox)!;
        Assert.True(entry.Active);
        Assert.Equal(RosterStatus.Rebaselining, entry.Status);
        Assert.Equal((0, 0), (entry.Folders, entry.SkippedItems));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ARebaselineMatchesKeptItemsByInternetMessageIdKeepsOrReplacesTheirFilesAndFinishingRemovesTheRest(StoreKind kind)
    {
        using var temp = new TempDirectory();
        using var test = WithInbox(kind);
        var store = test.Store;
        string File(string name) => Eml(temp, name);

        var (a, b, c, y) = (File("a"), File("b"), File("c"), File("y"));
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, WithMessageIds(("A", "<1@x>"), ("B", "<2@x>"), ("C", "<3@x>"))),
            new Dictionary<string, string> { ["A"] = a, ["B"] = b, ["C"] = c });
        store.ForgetProtocolState(Org);
        store.SelectFolder(Org, Mailbox, new MailFolder("G1", null, "Inbox", "IPF.Note"), "inbox");

        // X is A under the new protocol (no new file: A's is kept), Y is B with a new file, Z is new; C is gone.
        var page = store.ApplyItemPage(Org, Mailbox, "G1", Page("g1", true, WithMessageIds(("X", "<1@x>"), ("Y", "<2@x>"), ("Z", "<9@x>"))),
            new Dictionary<string, string> { ["Y"] = y });

        Assert.Equal((1, 2), (page.Added, page.Updated));
        Assert.Equal(1, store.CountItemsToRebaseline(Org, Mailbox));
        Assert.False(System.IO.File.Exists(b));
        Assert.Equal(1, store.FinishRebaseline(Org, Mailbox));
        Assert.Equal(new[] { ("X", (string?)a), ("Y", y), ("Z", null) },
            test.Pairs("SELECT item_id, mime_path FROM items ORDER BY item_id"));
        Assert.Equal(new[] { ("G1", (string?)"<1@x>"), ("G1", "<2@x>"), ("G1", "<9@x>") },
            test.Pairs("SELECT folder_id, internet_message_id FROM items ORDER BY item_id"));
        Assert.True(System.IO.File.Exists(a));
        Assert.False(System.IO.File.Exists(c));
        Assert.Equal(0, store.CountItemsToRebaseline(Org, Mailbox));
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

    // Pages are written in batches (issue 15): what one statement per change did must still hold.
    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AnItemNamedTwiceInAPageIsStoredOnceWithItsLaterChangeAndCountedAsAnUpdate(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        var later = new MailItem("A") { ChangeKey = "ck-A2", Subject = "Later", IsRead = true, Sent = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), Size = 42 };

        var page = store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A", "B").Append(later).ToArray()), null);

        Assert.Equal((2, 1), (page.Added, page.Updated));
        var stored = store.ReadItems(new ItemQuery(Org) { Mailbox = Mailbox }).OrderBy(i => i.ItemId, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "A", "B" }, stored.Select(i => i.ItemId));
        Assert.Equal(("Later", true, 42L), (stored[0].Subject, stored[0].IsRead, stored[0].Size));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 4, 5, TimeSpan.Zero), stored[0].Sent);
        Assert.Equal((null, false), (stored[1].Size, stored[1].IsRead));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ReadFlagsOfAPageSetTheLastFlagOfEachStoredItemAndCountEveryChangeOfOne(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, Items("A", "B")), null);

        var flags = store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s2", true, Items(), Array.Empty<string>(),
            new[] { new ReadFlagChange("A", true, "ck-A2"), new ReadFlagChange("B", true), new ReadFlagChange("A", false, "ck-A3"), new ReadFlagChange("gone", true) }), null);

        Assert.Equal(3, flags.Updated);
        var stored = store.ReadItems(new ItemQuery(Org) { Mailbox = Mailbox }).ToDictionary(i => i.ItemId);
        Assert.Equal((false, true), (stored["A"].IsRead, stored["B"].IsRead));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AMessageMovedUnderTheSameIdIsKeptWhenItsOldFolderReportsItRemovedAfterwards(StoreKind kind)
    {
        // Graph's immutable ids keep a message's id across a move: the folder it went to may be synced before the one
        // it left, whose delta then reports it removed. That removal is the old folder's, not the message's.
        using var test = WithInbox(kind);
        var store = test.Store;
        store.SelectFolder(Org, Mailbox, new MailFolder("F2", null, "Archive", "IPF.Note"), null);
        store.ApplyItemPage(Org, Mailbox, "F2", Page("s1", true, Items("A", "B")), null);

        store.ApplyItemPage(Org, Mailbox, "F1", Page("i1", true, Items("A")), null);
        var removal = store.ApplyItemPage(Org, Mailbox, "F2",
            new ItemPage("s2", true, Array.Empty<MailItem>(), new[] { "A" }, new[] { new ReadFlagChange("A", true) }), null);

        Assert.Equal((0, 0), (removal.Deleted, removal.Updated));
        Assert.Equal(new[] { ("A", (string?)"F1"), ("B", "F2") }, test.Pairs("SELECT item_id, folder_id FROM items ORDER BY item_id"));
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
    public void AnUpdatedItemsOldFileGoesWhenNoNewFileIsWrittenOrANewOneLiesElsewhere(StoreKind kind)
    {
        using var temp = new TempDirectory();
        using var test = WithInbox(kind);
        var store = test.Store;
        var (a, b, c, d, movedC) = (Eml(temp, "a"), Eml(temp, "b"), Eml(temp, "c"), Eml(temp, "d"), Eml(temp, "c-moved"));
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, Items("A", "B", "C", "D")),
            new Dictionary<string, string> { ["A"] = a, ["B"] = b, ["C"] = c, ["D"] = d });

        // A changed on the server and was synced without -IncludeMime: its file is the old message. B was only read.
        // C's new MIME went to another path; D's was written over its old file.
        store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s2", true, Items("A", "C", "D"), Array.Empty<string>(), new[] { new ReadFlagChange("B", true) }),
            new Dictionary<string, string> { ["C"] = movedC, ["D"] = d });

        Assert.Equal(new[] { ("A", (string?)null), ("B", b), ("C", movedC), ("D", d) },
            test.Pairs("SELECT item_id, mime_path FROM items ORDER BY item_id"));
        Assert.False(File.Exists(a));
        Assert.False(File.Exists(c));
        Assert.All(new[] { b, movedC, d }, path => Assert.True(File.Exists(path), path));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void APartialUpsertUpdatesOnlyTheColumnsItCarriesAndOneOfAnItemNotStoredIsLeftToReadWhole(StoreKind kind)
    {
        using var temp = new TempDirectory();
        using var test = WithInbox(kind);
        var store = test.Store;
        var sent = new DateTimeOffset(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);
        var a = Eml(temp, "a");
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, new[]
        {
            new MailItem("A") { ChangeKey = "ck1", Subject = "Old", Sender = "a@contoso.com", Sent = sent, Size = 42, IsRead = false, HasAttachments = true },
            new MailItem("B") { ChangeKey = "ck1", Subject = "Kept", IsRead = true },
        }), new Dictionary<string, string> { ["A"] = a });

        // A: a new subject and version, and a null read flag that is not carried (must not reach the row). B: the new
        // version only. C: never stored, so nothing to update: left for the engine to read whole, remembered meanwhile.
        var outcome = store.ApplyItemPage(Org, Mailbox, "F1", Page("s2", true, new[]
        {
            new MailItem("A") { ChangeKey = "ck2", Subject = "New", Properties = MailItemProperties.ChangeKey | MailItemProperties.Subject },
            new MailItem("B") { ChangeKey = "ck2", Properties = MailItemProperties.ChangeKey },
            new MailItem("C") { Subject = "Unknown", Properties = MailItemProperties.Subject },
        }), null);

        Assert.Equal((0, 2, 0, 0), (outcome.Added, outcome.Updated, outcome.Deleted, outcome.Skipped));
        Assert.Equal(new[] { "C" }, outcome.ToReadWhole);
        Assert.Equal(new[] { ("A", (string?)"New"), ("B", "Kept") }, test.Pairs("SELECT item_id, subject FROM items ORDER BY item_id"));
        Assert.Equal(new[] { ("A", (string?)"ck2"), ("B", "ck2") }, test.Pairs("SELECT item_id, change_key FROM items ORDER BY item_id"));
        Assert.Equal(new[] { ("A", (string?)"a@contoso.com") }, test.Pairs("SELECT item_id, sender FROM items WHERE item_id = 'A'"));
        Assert.Equal((42L, false, true), (Convert.ToInt64(test.Scalar("SELECT size FROM items WHERE item_id = 'A'")),
            Convert.ToBoolean(test.Scalar("SELECT is_read FROM items WHERE item_id = 'A'")),
            Convert.ToBoolean(test.Scalar("SELECT has_attachments FROM items WHERE item_id = 'A'"))));
        Assert.Equal(1L, Convert.ToInt64(test.Scalar("SELECT COUNT(*) FROM items WHERE item_id = 'A' AND sent_utc IS NOT NULL")));
        Assert.Equal("s2", Assert.Single(store.GetFolders(Org, Mailbox)).SyncState);

        // A changed, so its file (of the old message) went, as for a whole update without a new file.
        Assert.False(File.Exists(a));
        Assert.Equal(new[] { ("A", (string?)null) }, test.Pairs("SELECT item_id, mime_path FROM items WHERE item_id = 'A'"));

        var remembered = Assert.Single(store.GetSkippedItems(Org, Mailbox, "F1"));
        Assert.Equal(("C", SkippedItem.PartialChangeOfUnstoredItem), (remembered.ItemId, remembered.ErrorId));

        // Read whole, it arrives and is no longer remembered.
        var whole = store.ApplyItemPage(Org, Mailbox, "F1", Page("s2", true, Items("C")), null);
        Assert.Equal(1, whole.Added);
        Assert.Empty(store.GetSkippedItems(Org, Mailbox, "F1"));
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
    public void ResetFolderForgetsItsItemsSkippedItemsAndStateAndMarksTheUserIncomplete(StoreKind kind)
    {
        using var test = WithInbox(kind);
        test.Store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A"), Skipped("X")), null);
        test.Store.RecordSuccess(Org, Mailbox);

        test.Store.ResetFolder(Org, Mailbox, "F1");

        Assert.Null(Assert.Single(test.Store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 0), test.Store.CountStored(Org, Mailbox));
        Assert.Empty(test.Store.GetSkippedItems(Org, Mailbox, "F1"));
        // Only RecordSuccess after the whole run shows Synced again.
        Assert.Equal(RosterStatus.Incomplete, test.Store.GetRosterEntry(Org, Mailbox)!.Status);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void DeselectFolderDropsItsItemsAndStateAndKeepsTheFolderKnownForALaterChoice(StoreKind kind)
    {
        using var test = WithInbox(kind);
        test.Store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A", "B"), Skipped("X")), null);

        test.Store.DeselectFolder(Org, Mailbox, "F1");

        var folder = Assert.Single(test.Store.GetFolders(Org, Mailbox));
        Assert.False(folder.Selected);
        Assert.Null(folder.SyncState);
        Assert.Equal((0, 0), test.Store.CountStored(Org, Mailbox));
        Assert.Empty(test.Store.GetSkippedItems(Org, Mailbox, "F1"));

        test.Store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
        Assert.True(Assert.Single(test.Store.GetFolders(Org, Mailbox)).Selected);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void SkippedItemsAreRememberedWithTheirReasonsUntilTheyAreReadOrDeleted(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;

        var first = store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, Items("A"), Skipped("X", "Y", "Z")), null);
        var again = store.ApplyItemPage(Org, Mailbox, "F1", Page("s2", false, Items(), Skipped("X")), null);

        Assert.Equal((1, 3), (first.Added, first.Skipped));
        Assert.Equal(1, again.Skipped);
        Assert.Equal("s2", Assert.Single(store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal(new[] { ("X", "ErrorItemCorrupt", "Item X is corrupt.") },
            store.GetSkippedItems(Org, Mailbox, "F1").Where(s => s.ItemId == "X").Select(s => (s.ItemId, s.ErrorId, s.Reason)));
        Assert.Equal(2L, Convert.ToInt64(test.Scalar("SELECT attempts FROM skipped_items WHERE item_id = 'X'")));

        // An item that arrives (upsert) or goes (delete) is no longer skipped.
        store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s3", true, Items("X"), new[] { "Y" }, Array.Empty<ReadFlagChange>()), null);
        store.RecordSuccess(Org, Mailbox);

        Assert.Equal(new[] { "Z" }, store.GetSkippedItems(Org, Mailbox, "F1").Select(s => s.ItemId));
        Assert.Empty(store.GetSkippedItems(Org, Mailbox, "F2"));
        var entry = store.GetRosterEntry(Org, Mailbox)!;
        Assert.Equal((RosterStatus.Synced, 2, 1), (entry.Status, entry.Items, entry.SkippedItems));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ForgetFoldersRemovesTheirItemsSkippedItemsAndStatesAndNoOthers(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.SelectFolder(Org, Mailbox, new MailFolder("F2", null, "Archive", "IPF.Note"), null);
        store.SelectFolder(Org, Mailbox, new MailFolder("F3", null, "Projects", "IPF.Note"), null);
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", true, Items("A"), Skipped("X")), null);
        store.ApplyItemPage(Org, Mailbox, "F2", Page("s2", true, Items("B"), Skipped("Y")), null);
        store.ApplyItemPage(Org, Mailbox, "F3", Page("s3", true, Items("C")), null);

        store.ForgetFolders(Org, Mailbox, new[] { "F1", "F3", "gone" });

        var folder = Assert.Single(store.GetFolders(Org, Mailbox));
        Assert.Equal(("F2", "s2"), (folder.FolderId, folder.SyncState));
        Assert.Equal((1, 1), store.CountStored(Org, Mailbox));
        Assert.Empty(store.GetSkippedItems(Org, Mailbox, "F1"));
        Assert.Equal("Y", Assert.Single(store.GetSkippedItems(Org, Mailbox, "F2")).ItemId);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void EveryRemovalOfItemsDeletesTheirContentFilesAfterwards(StoreKind kind)
    {
        using var temp = new TempDirectory();
        using var test = WithInbox(kind);
        var store = test.Store;
        var other = "other@contoso.com";
        store.Activate(Org, new MailboxTarget(other, MailboxAddressKind.SmtpAddress));
        foreach (var (mailbox, folder) in new[] { (Mailbox, "F1"), (Mailbox, "F2"), (Mailbox, "F3"), (Mailbox, "F4"), (other, "F1") })
        {
            store.SelectFolder(Org, mailbox, new MailFolder(folder, null, folder, "IPF.Note"), null);
        }

        string Apply(string mailbox, string folder, string item)
        {
            var path = temp.Combine(mailbox, folder, item + ".eml");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "MIME-Version: 1.0");
            store.ApplyItemPage(Org, mailbox, folder, Page("s-" + item, true, Items(item)), new Dictionary<string, string> { [item] = path });
            return path;
        }

        var kept = Apply(Mailbox, "F1", "keep");
        var deleted = Apply(Mailbox, "F1", "deleted");
        var reset = Apply(Mailbox, "F2", "reset");
        var forgotten = Apply(Mailbox, "F3", "forgotten");
        var hierarchy = Apply(Mailbox, "F4", "hierarchy");
        var deactivated = Apply(other, "F1", "deactivated");

        // A server delete; a reset; a forgotten folder; a folder the hierarchy deleted.
        store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s9", true, Items(), new[] { "deleted" }, Array.Empty<ReadFlagChange>()), null);
        store.ResetFolder(Org, Mailbox, "F2");
        store.ForgetFolders(Org, Mailbox, new[] { "F3" });
        store.ApplyFolderPage(Org, Mailbox, new FolderPage("h1", true, new[] { new FolderChange(MailChangeKind.Delete, "F4", null) }));

        Assert.True(File.Exists(kept));
        Assert.All(new[] { deleted, reset, forgotten, hierarchy }, path => Assert.False(File.Exists(path), path));
        // Emptied mail folders go with their last file; a folder with files left stays.
        Assert.False(Directory.Exists(temp.Combine(Mailbox, "F2")));
        Assert.True(Directory.Exists(temp.Combine(Mailbox, "F1")));

        // Disable-InboxSync -RemoveData, then Remove-InboxOrganization.
        Assert.True(store.Deactivate(Org, other, removeData: true));
        Assert.False(File.Exists(deactivated));
        Assert.False(Directory.Exists(temp.Combine(other)));
        Assert.True(File.Exists(kept));
        Assert.True(store.RemoveOrganization(Org));
        Assert.False(File.Exists(kept));
        Assert.False(Directory.Exists(temp.Combine(Mailbox)));
        Assert.True(Directory.Exists(temp.Path));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void WritesForAUserRemovedFromTheRosterFailThatUserWithMailboxRemovedDuringSync(StoreKind kind)
    {
        using var test = WithInbox(kind);
        var store = test.Store;
        store.ApplyItemPage(Org, Mailbox, "F1", Page("s1", false, Items("A")), null);

        // Disable-InboxSync -RemoveData while a run syncs the user.
        Assert.True(store.Deactivate(Org, Mailbox, removeData: true));

        var errors = new[]
        {
            Assert.Throws<StoreException>(() => store.ApplyItemPage(Org, Mailbox, "F1", Page("s2", true, Items("B")), null)),
            Assert.Throws<StoreException>(() => store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox")),
            Assert.Throws<StoreException>(() => store.ApplyFolderPage(Org, Mailbox, new FolderPage("h1", true, Array.Empty<FolderChange>()))),
        };

        Assert.All(errors, e => Assert.Equal(("MailboxRemovedDuringSync", SyncFault.None), (e.ErrorId, e.Fault)));
        Assert.All(errors, e => Assert.Contains(Mailbox, e.Message));
        Assert.Equal((0, 0), store.CountStored(Org, Mailbox));
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

    [Theory, PostgresData]
    public void APostgresStoreThatCannotBeWrittenOrReachedStopsTheRunWithStoreFailed(StoreKind kind)
    {
        // SQLite's side (StoreFull, StoreBusy, StoreNotWritable) is in RunSurvivalTests and StoreWriteConcurrencyTests.
        using var test = TestStore.Open(kind);
        var readOnly = new Npgsql.NpgsqlConnectionStringBuilder(test.Setting) { Options = "-c default_transaction_read_only=on" };
        var unreachable = new Npgsql.NpgsqlConnectionStringBuilder(test.Setting) { Host = "127.0.0.1", Port = 1, Timeout = 3 };

        var notWritable = Assert.Throws<StoreException>(() => PostgresInboxStore.Open(PostgresConnectionSettings.Parse(readOnly.ConnectionString)));
        var gone = Assert.Throws<StoreException>(() => PostgresInboxStore.Open(PostgresConnectionSettings.Parse(unreachable.ConnectionString)));

        Assert.Equal(("StoreNotWritable", SyncFault.StoreFailed), (notWritable.ErrorId, notWritable.Fault));
        Assert.Equal(("StorePostgresUnreachable", SyncFault.StoreFailed), (gone.ErrorId, gone.Fault));
        Assert.True(MailboxFailure.StopsRun(notWritable));
        Assert.DoesNotContain(readOnly.Password!, notWritable.Message);
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

    private static string Eml(TempDirectory temp, string name)
    {
        var path = temp.Combine(name + ".eml");
        File.WriteAllText(path, "MIME-Version: 1.0");
        return path;
    }

    private static ItemPage Page(string state, bool last, MailItem[] upserts, SkippedItem[]? skipped = null) =>
        new(state, last, upserts, Array.Empty<string>(), Array.Empty<ReadFlagChange>(), skipped);

    private static SkippedItem[] Skipped(params string[] ids) =>
        ids.Select(id => new SkippedItem(id, "ErrorItemCorrupt", $"Item {id} is corrupt.")).ToArray();

    private static MailItem[] WithMessageIds(params (string Id, string MessageId)[] items) =>
        items.Select(i => new MailItem(i.Id) { InternetMessageId = i.MessageId, Subject = "Subject " + i.Id, IsRead = true }).ToArray();

    private static MailItem[] Items(params string[] ids) =>
        ids.Select(id => new MailItem(id) { ChangeKey = "ck-" + id, Subject = "Subject " + id, IsRead = false }).ToArray();
}
