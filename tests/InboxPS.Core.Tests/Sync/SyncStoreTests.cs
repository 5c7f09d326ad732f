using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Tests.Sync;

public sealed class SyncStoreTests : IDisposable
{
    private const string Org = "contoso";
    private const string Mailbox = "user@contoso.com";
    private static readonly MailboxTarget s_target = new(Mailbox, MailboxAddressKind.SmtpAddress);
    private readonly TempDirectory _temp = new();
    private readonly SqliteInboxStore _store;

    public SyncStoreTests()
    {
        _store = SqliteInboxStore.Open(_temp.Combine("inboxps.db"));
        _store.SaveOrganization(new OrganizationProfile(Org));
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void ActivateReportsNewOnlyOnceAndAgainAfterDeactivation()
    {
        Assert.True(_store.Activate(Org, s_target));
        Assert.False(_store.Activate(Org, new MailboxTarget("USER@contoso.com", MailboxAddressKind.SmtpAddress)));
        Assert.True(_store.Deactivate(Org, Mailbox, removeData: false));
        Assert.True(_store.Activate(Org, s_target));
    }

    [Fact]
    public void ItemPageCountsAddsUpdatesDeletesAndReadFlagsAndAdvancesTheState()
    {
        _store.Activate(Org, s_target);
        var inbox = new MailFolder("F1", null, "Inbox", "IPF.Note");
        _store.SelectFolder(Org, Mailbox, inbox, "inbox");

        var first = _store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s1", false, new[] { Item("A"), Item("B"), Item("C") }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()), null);
        var second = _store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s2", true, new[] { Item("A"), Item("D") }, new[] { "B", "missing" }, new[] { new ReadFlagChange("C", true) }), null);

        Assert.Equal((3, 0, 0), (first.Added, first.Updated, first.Deleted));
        Assert.Equal((1, 2, 1), (second.Added, second.Updated, second.Deleted));
        Assert.Equal("s2", Assert.Single(_store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 3), _store.CountStored(Org, Mailbox));
    }

    [Fact]
    public void AFailedPageLeavesNeitherItemsNorState()
    {
        _store.Activate(Org, s_target);
        _store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");

        // The second item breaks a constraint after the first was written: the whole page, state included, must roll back.
        Assert.ThrowsAny<Exception>(() => _store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s1", true, new[] { Item("A"), new MailItem(null!) }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()), null));

        Assert.Null(Assert.Single(_store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 0), _store.CountStored(Org, Mailbox));
    }

    [Fact]
    public void ItemPageStoresTheMimePathsItIsGivenAndNothingElse()
    {
        _store.Activate(Org, s_target);
        _store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");

        _store.ApplyItemPage(Org, Mailbox, "F1",
            new ItemPage("s1", true, new[] { Item("A"), Item("B") }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()),
            new Dictionary<string, string> { ["A"] = "/content/a.eml" });

        Assert.Equal(new[] { ("A", (string?)"/content/a.eml"), ("B", null) }, MimePaths());
    }

    [Fact]
    public void ResetFolderForgetsItsItemsAndState()
    {
        _store.Activate(Org, s_target);
        _store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
        _store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s1", true, new[] { Item("A") }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()), null);

        _store.ResetFolder(Org, Mailbox, "F1");

        Assert.Null(Assert.Single(_store.GetFolders(Org, Mailbox)).SyncState);
        Assert.Equal((1, 0), _store.CountStored(Org, Mailbox));
    }

    [Fact]
    public void FailureIsRecordedForUsersNotOnTheRosterAsInactive()
    {
        _store.RecordFailure(Org, "ghost@contoso.com", "EwsMailboxNotFound", "No mailbox.", "Check the address.");

        var entry = Assert.IsType<RosterEntry>(_store.GetRosterEntry(Org, "ghost@contoso.com"));
        Assert.False(entry.Active);
        Assert.Equal(RosterStatus.Failed, entry.Status);
        Assert.Equal("EwsMailboxNotFound", entry.LastErrorId);
        Assert.Empty(_store.GetRoster(Org, activeOnly: true));
    }

    [Fact]
    public void RosterIsReadInPagesInMailboxOrder()
    {
        for (var i = 0; i < 1203; i++)
        {
            _store.Activate(Org, new MailboxTarget($"u{i:0000}@contoso.com", MailboxAddressKind.PrincipalName));
        }

        var all = _store.GetRoster(Org, activeOnly: true).Select(e => e.Mailbox).ToList();

        Assert.Equal(1203, all.Count);
        Assert.Equal(all.OrderBy(m => m, StringComparer.Ordinal), all);
        Assert.Equal(all.Count, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(_store.GetRoster(Org, activeOnly: true), e => Assert.Equal(MailboxAddressKind.PrincipalName, e.AddressKind));
    }

    [Fact]
    public void RemovingTheOrganizationRemovesItsRosterAndItems()
    {
        _store.Activate(Org, s_target);
        _store.SelectFolder(Org, Mailbox, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
        _store.ApplyItemPage(Org, Mailbox, "F1", new ItemPage("s1", true, new[] { Item("A") }, Array.Empty<string>(), Array.Empty<ReadFlagChange>()), null);

        _store.RemoveOrganization(Org);

        Assert.Null(_store.GetRosterEntry(Org, Mailbox));
        Assert.Equal((0, 0), _store.CountStored(Org, Mailbox));
    }

    private (string Id, string? Path)[] MimePaths()
    {
        using var connection = new SqliteConnection($"Data Source={_store.Location};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT item_id, mime_path FROM items ORDER BY item_id";
        using var reader = command.ExecuteReader();
        var paths = new List<(string, string?)>();
        while (reader.Read())
        {
            paths.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return paths.ToArray();
    }

    private static MailItem Item(string id) => new(id) { ChangeKey = "ck-" + id, Subject = "Subject " + id, IsRead = false };
}
