using System.Text;
using System.Xml.Linq;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>GetItem, GetFolder, SyncFolderHierarchy and ResolveNames answers, checked against the control API's ground truth.</summary>
public sealed class ItemAndFolderTests : IClassFixture<SimulatorFixture>
{
    private static readonly XNamespace T = EwsClient.T;
    private readonly ExchangeSimulator _sim;

    public ItemAndFolderTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
    }

    [Fact]
    public async Task GetItemReturnsTheStoredPropertiesAndErrorItemNotFoundPerMissingId()
    {
        const string mailbox = "user0030@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var truth = _sim.Control.GetItems(mailbox, "inbox");
        var deleted = truth[1].ItemId;
        _sim.Control.DeleteItem(deleted);
        var foreign = _sim.Control.GetItems("user0031@contoso.test", "inbox")[0].ItemId;

        var answer = await client.SendAsync(Ops.GetItem(new[] { truth[0].ItemId, deleted, truth[2].ItemId, foreign, "AAMkAbad" }), mailbox);

        var codes = answer.Messages.Select(m => (string?)m.Element(EwsClient.M + "ResponseCode")).ToList();
        Assert.Equal(new[] { "NoError", "ErrorItemNotFound", "NoError", "ErrorItemNotFound", "ErrorInvalidIdMalformed" }, codes);
        var first = answer.Messages[0].Descendants(T + "Message").Single();
        Assert.Equal(truth[0].Subject, (string?)first.Element(T + "Subject"));
        Assert.Equal(truth[0].IsRead, (bool)first.Element(T + "IsRead")!);
        Assert.Equal(truth[0].InternetMessageId, (string?)first.Element(T + "InternetMessageId"));
        Assert.Equal(truth[0].ChangeKey, (string?)first.Element(T + "ItemId")!.Attribute("ChangeKey"));
        Assert.Equal(truth[0].FolderId, (string?)first.Element(T + "ParentFolderId")!.Attribute("Id"));
        Assert.Contains(first.Element(T + "ToRecipients")!.Elements(T + "Mailbox"), m => (string?)m.Element(T + "EmailAddress") == mailbox);
        foreach (var name in new[] { "From", "DateTimeSent", "DateTimeReceived", "Size", "HasAttachments", "ConversationId", "ItemClass" })
        {
            Assert.NotNull(first.Element(T + name));
        }
    }

    [Fact]
    public async Task MimeContentIsTheMessageWithMatchingHeaders()
    {
        const string mailbox = "user0032@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var item = _sim.Control.GetItems(mailbox, "inbox")[0];

        var answer = await client.SendAsync(Ops.GetItem(new[] { item.ItemId }, "IdOnly", mime: true), mailbox);

        var mime = answer.Xml.Descendants(T + "MimeContent").Single();
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(mime.Value));
        Assert.Equal("UTF-8", (string?)mime.Attribute("CharacterSet"));
        Assert.Contains("Message-ID: " + item.InternetMessageId + "\r\n", text);
        Assert.Contains("\r\nMIME-Version: 1.0\r\n", text);
        Assert.Contains("\r\n\r\n", text);
        Assert.Null(answer.Xml.Descendants(T + "Subject").FirstOrDefault());
    }

    [Fact]
    public async Task GetFolderAnswersDistinguishedFoldersWithLiveCounts()
    {
        const string mailbox = "user0033@contoso.test";
        using var client = EwsClient.Basic(_sim);
        _sim.Control.CreateItem(mailbox, "inbox", "new and unread");
        var inbox = _sim.Control.GetFolders(mailbox).Single(f => f.DistinguishedName == "inbox");

        var answer = await client.SendAsync(Ops.GetFolder("Default", "inbox", "tasks"), mailbox);

        var folder = answer.Messages[0].Descendants(T + "Folder").Single();
        Assert.Equal(inbox.FolderId, (string?)folder.Element(T + "FolderId")!.Attribute("Id"));
        Assert.Equal(31, (int)folder.Element(T + "TotalCount")!);
        Assert.Equal(inbox.UnreadCount, (int)folder.Element(T + "UnreadCount")!);
        Assert.Equal("Inbox", (string?)folder.Element(T + "DisplayName"));
        Assert.Equal("ErrorFolderNotFound", (string?)answer.Messages[1].Element(EwsClient.M + "ResponseCode"));
    }

    [Fact]
    public async Task HierarchySyncListsTheFolderTreeThenReportsFolderChanges()
    {
        const string mailbox = "user0034@contoso.test";
        using var client = EwsClient.Basic(_sim);

        var initial = await client.SendAsync(Ops.SyncFolderHierarchy(), mailbox);
        var projects = _sim.Control.GetFolders(mailbox).Single(f => f.DisplayName == "Projects").FolderId;
        var created = _sim.Control.CreateFolder(mailbox, "Receipts", "inbox");
        _sim.Control.RenameFolder(mailbox, "archive", "Old mail");
        _sim.Control.DeleteFolder(mailbox, projects);
        var later = await client.SendAsync(Ops.SyncFolderHierarchy(Ops.State(initial)), mailbox);

        var names = initial.Message.Descendants(T + "DisplayName").Select(e => e.Value).ToList();
        Assert.Equal(new[] { "Inbox", "Projects", "Sent Items", "Drafts", "Deleted Items", "Junk Email", "Outbox", "Archive", "Calendar", "Contacts" }, names);
        Assert.Single(initial.Message.Descendants(T + "CalendarFolder"));
        Assert.Single(initial.Message.Descendants(T + "ContactsFolder"));
        Assert.Equal("true", (string?)initial.Message.Element(EwsClient.M + "IncludesLastFolderInRange"));
        var changes = later.Message.Element(EwsClient.M + "Changes")!.Elements()
            .Select(c => (c.Name.LocalName, (string?)c.Descendants(T + "FolderId").First().Attribute("Id"), (string?)c.Descendants(T + "DisplayName").FirstOrDefault()))
            .ToList();
        var archive = _sim.Control.GetFolders(mailbox).Single(f => f.DistinguishedName == "archive").FolderId;
        Assert.Equal(new (string, string?, string?)[] { ("Create", created, "Receipts"), ("Update", archive, "Old mail"), ("Delete", projects, null) }, changes);
    }

    [Fact]
    public async Task ResolveNamesFindsMailboxesByAddressAndPrefix()
    {
        using var client = EwsClient.Basic(_sim);

        var one = await client.SendAsync(Ops.ResolveNames("SMTP:user0035@contoso.test"), "user0035@contoso.test");
        var many = await client.SendAsync(Ops.ResolveNames("user003"), "user0035@contoso.test");

        Assert.Equal("user0035@contoso.test", (string?)one.Xml.Descendants(T + "EmailAddress").Single());
        Assert.Equal("ErrorNameResolutionMultipleResults", many.ResponseCode);
        Assert.Equal(10, many.Xml.Descendants(T + "Resolution").Count());
    }
}
