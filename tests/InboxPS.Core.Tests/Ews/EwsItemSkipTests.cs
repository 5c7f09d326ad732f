using InboxPS.Core.Ews;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>Issue 17: an item-level GetItem error is a skipped item of the page, never the page's failure.</summary>
public sealed class EwsItemSkipTests
{
    private static readonly MailboxTarget Alice = new("alice@contoso.com", MailboxAddressKind.SmtpAddress);

    private static string Found(string id) => Soap.Success("GetItem",
        $"<m:Items><t:Message><t:ItemId Id=\"{id}\" ChangeKey=\"k\"/><t:Subject>s</t:Subject></t:Message></m:Items>");

    [Fact]
    public async Task A_corrupt_or_oversized_item_is_skipped_with_its_reason_and_the_page_advances()
    {
        var handler = new ScriptedHandler()
            .ThenXml(Soap.SyncItemsPage("s1", true,
                "<t:Create><t:Message><t:ItemId Id=\"A=\" ChangeKey=\"a\"/></t:Message></t:Create>" +
                "<t:Create><t:Message><t:ItemId Id=\"B=\" ChangeKey=\"b\"/></t:Message></t:Create>" +
                "<t:Create><t:Message><t:ItemId Id=\"C=\" ChangeKey=\"c\"/></t:Message></t:Create>" +
                "<t:Create><t:Message><t:ItemId Id=\"D=\" ChangeKey=\"d\"/></t:Message></t:Create>"))
            .ThenXml(Soap.Response("GetItem",
                Found("A="),
                Soap.Error("GetItem", "ErrorItemCorrupt", "The item is corrupt."),
                Soap.Error("GetItem", "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size."),
                Soap.Error("GetItem", "ErrorItemNotFound", "The specified object was not found in the store.")));
        using var client = TestClients.Create(handler);
        var session = new EwsMailboxProtocol(client).Open(Alice);

        var page = await session.SyncItemsAsync("inbox", null, false, default);

        Assert.Equal("s1", page.State);
        Assert.Equal(new[] { "A=" }, page.Upserts.Select(i => i.Id));
        Assert.Equal(new[] { "B=", "C=" }, page.Skipped.Select(s => s.ItemId));
        Assert.Contains("ErrorItemCorrupt", page.Skipped[0].Reason);
        Assert.Contains("ErrorMessageSizeExceeded", page.Skipped[1].Reason);
        Assert.Empty(page.Deletes);
    }

    [Fact]
    public async Task Reading_skipped_items_again_brings_the_readable_and_drops_the_gone()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem",
            Found("A="),
            Soap.Error("GetItem", "ErrorItemNotFound", "The specified object was not found in the store."),
            Soap.Error("GetItem", "ErrorItemCorrupt", "The item is corrupt.")));
        using var client = TestClients.Create(handler);
        var reader = Assert.IsAssignableFrom<IItemReader>(new EwsMailboxProtocol(client).Open(Alice));

        var page = await reader.ReadItemsAsync("inbox", new[] { "A=", "B=", "C=" }, false, default);

        Assert.Equal(new[] { "A=" }, page.Upserts.Select(i => i.Id));
        Assert.Equal(new[] { "B=" }, page.Deletes);
        Assert.Equal("C=", Assert.Single(page.Skipped).ItemId);
    }
}
