using System.Text;
using System.Xml.Linq;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>GetItem batches and item sync pages, from responses shaped like Exchange's.</summary>
public sealed class EwsItemTests
{
    private const string Mime = "From: Bob <bob@contoso.com>\r\nTo: Alice <alice@contoso.com>\r\nSubject: Hello\r\n\r\nHi Alice.\r\n";

    private static string FullMessage(string id, bool withMime = false) =>
        "<t:Message>" +
        (withMime ? $"<t:MimeContent CharacterSet=\"UTF-8\">{Convert.ToBase64String(Encoding.UTF8.GetBytes(Mime))}</t:MimeContent>" : string.Empty) +
        $"<t:ItemId Id=\"{id}\" ChangeKey=\"CQAAABYA{id}\"/><t:ParentFolderId Id=\"AAMkInbox=\" ChangeKey=\"AQAAAA==\"/>" +
        "<t:ItemClass>IPM.Note</t:ItemClass><t:Subject>Q3 &amp; budget &lt;draft&gt;</t:Subject>" +
        "<t:DateTimeReceived>2024-05-01T08:30:00Z</t:DateTimeReceived><t:Size>4242</t:Size>" +
        "<t:DateTimeSent>2024-05-01T08:29:58Z</t:DateTimeSent><t:HasAttachments>true</t:HasAttachments>" +
        "<t:ConversationId Id=\"AAQkConv=\"/>" +
        "<t:ToRecipients><t:Mailbox><t:Name>Alice</t:Name><t:EmailAddress>alice@contoso.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>" +
        "<t:Mailbox><t:Name>Carol</t:Name><t:EmailAddress>carol@contoso.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:ToRecipients>" +
        "<t:CcRecipients><t:Mailbox><t:EmailAddress>/o=Contoso/ou=Exchange/cn=Recipients/cn=dave</t:EmailAddress><t:RoutingType>EX</t:RoutingType></t:Mailbox></t:CcRecipients>" +
        "<t:From><t:Mailbox><t:Name>Bob</t:Name><t:EmailAddress>bob@contoso.com</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType></t:Mailbox></t:From>" +
        "<t:InternetMessageId>&lt;CAF123@mail.contoso.com&gt;</t:InternetMessageId><t:IsRead>false</t:IsRead>" +
        "</t:Message>";

    private static string Found(string item, string responseClass = "Success") => Soap.Success("GetItem", $"<m:Items>{item}</m:Items>", responseClass);

    [Fact]
    public async Task GetItem_reads_every_stored_property()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem", Found(FullMessage("AAMk1="))));
        using var client = TestClients.Create(handler);

        var item = Assert.Single(await client.GetItemsAsync(TestClients.Alice, new[] { "AAMk1=" }, false, null, default));

        Assert.Equal(("AAMk1=", "CQAAABYAAAMk1=", "AAMkInbox=", "IPM.Note"), (item.ItemId, item.ChangeKey, item.ParentFolderId, item.ItemClass));
        Assert.Equal(("Q3 & budget <draft>", "<CAF123@mail.contoso.com>", "AAQkConv="), (item.Subject, item.InternetMessageId, item.ConversationId));
        Assert.Equal("Bob <bob@contoso.com>", item.From!.ToString());
        Assert.Equal(new[] { "alice@contoso.com", "carol@contoso.com" }, item.ToRecipients.Select(r => r.Address));
        Assert.Equal(("EX", (string?)null), (item.CcRecipients.Single().RoutingType, item.CcRecipients.Single().Name));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 29, 58, TimeSpan.Zero), item.DateTimeSent);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 30, 0, TimeSpan.Zero), item.DateTimeReceived);
        Assert.Equal((4242, (bool?)false, (bool?)true), (item.Size, item.IsRead, item.HasAttachments));
        Assert.Null(item.MimeContent);
    }

    [Fact]
    public async Task GetItem_asks_for_the_stored_properties_and_mime_only_when_wanted()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem", Found(FullMessage("AAMk1=", withMime: true))));
        using var client = TestClients.Create(handler);

        var item = Assert.Single(await client.GetItemsAsync(TestClients.Alice, new[] { "AAMk1=" }, true, null, default));

        Assert.Equal(Mime, Encoding.UTF8.GetString(item.MimeContent!));
        XNamespace m = Soap.MessagesNs, t = Soap.TypesNs;
        var shape = handler.Requests[0].Operation.Element(m + "ItemShape")!;
        Assert.Equal(("IdOnly", "true"), (shape.Element(t + "BaseShape")!.Value, shape.Element(t + "IncludeMimeContent")!.Value));
        Assert.Equal(
            new[]
            {
                "item:ParentFolderId", "item:ItemClass", "item:Subject", "message:InternetMessageId", "item:ConversationId",
                "message:From", "message:ToRecipients", "message:CcRecipients", "item:DateTimeSent", "item:DateTimeReceived",
                "item:Size", "message:IsRead", "item:HasAttachments",
            },
            shape.Descendants(t + "FieldURI").Select(f => (string)f.Attribute("FieldURI")!));
    }

    [Fact]
    public async Task A_batch_keeps_found_items_and_reports_deleted_and_broken_ones_by_their_requested_id()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem",
            Found(FullMessage("A=")),
            Soap.Error("GetItem", "ErrorItemNotFound", "The specified object was not found in the store."),
            Found("<t:MeetingRequest><t:ItemId Id=\"C=\" ChangeKey=\"k\"/><t:Subject>Budget Q3</t:Subject></t:MeetingRequest>", "Warning"),
            Soap.Error("GetItem", "ErrorMimeContentConversionFailed", "MIME conversion failed.")));
        using var client = TestClients.Create(handler);

        var batch = Assert.IsType<EwsItemBatch>(await client.GetItemsAsync(TestClients.Alice, new[] { "A=", "B=", "C=", "D=" }, true, null, default));

        Assert.Equal(new[] { "A=", "C=" }, batch.Select(i => i.ItemId));
        Assert.Equal((string?)null, batch[1].From?.Address);
        Assert.Equal(new[] { "B=" }, batch.MissingItemIds);
        var failed = Assert.Single(batch.FailedItems);
        Assert.Equal(("D=", "ErrorMimeContentConversionFailed"), (failed.ItemId, failed.Error.ResponseCode));
    }

    [Fact]
    public async Task An_error_that_is_not_about_one_item_fails_the_whole_batch()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem",
            Soap.Error("GetItem", "ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user."),
            Soap.Error("GetItem", "ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user.")));
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetItemsAsync(TestClients.Alice, new[] { "A=", "B=" }, false, null, default));

        Assert.Equal(("EwsImpersonationDenied", InboxErrorKind.PermissionDenied, "alice@contoso.com"), (error.ErrorId, error.Kind, error.Target));
        Assert.Contains("New-ManagementRoleAssignment -Role ApplicationImpersonation", error.RecommendedAction);
        Assert.Contains("full_access_as_app", error.RecommendedAction);
        Assert.Contains("includes alice@contoso.com", error.RecommendedAction);
    }

    [Fact]
    public async Task A_response_with_fewer_messages_than_ids_is_invalid()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem", Found(FullMessage("A="))));
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetItemsAsync(TestClients.Alice, new[] { "A=", "B=" }, false, null, default));

        Assert.Equal("EwsInvalidResponse", error.ErrorId);
        Assert.Contains("1 of the 2 ids", error.Message);
    }

    [Theory]
    [InlineData("<t:Size>big</t:Size>", "<Size> holds 'big', not a whole number")]
    [InlineData("<t:IsRead>maybe</t:IsRead>", "<IsRead> holds 'maybe', not true or false")]
    [InlineData("<t:DateTimeSent>yesterday</t:DateTimeSent>", "<DateTimeSent> holds 'yesterday', not a date and time")]
    public async Task A_property_value_of_the_wrong_type_names_the_element(string property, string problem)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem", Found($"<t:Message><t:ItemId Id=\"A=\"/>{property}</t:Message>")));
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetItemsAsync(TestClients.Alice, new[] { "A=" }, false, null, default));

        Assert.Equal("EwsInvalidResponse", error.ErrorId);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public async Task An_empty_batch_sends_nothing()
    {
        var handler = new ScriptedHandler();
        using var client = TestClients.Create(handler);

        var batch = await client.GetItemBatchAsync(TestClients.Alice, Array.Empty<string>(), false, null, default);

        Assert.Equal((0, 0, 0), (batch.Count, batch.MissingItemIds.Count, handler.Requests.Count));
    }

    [Fact]
    public async Task A_sync_loops_page_by_page_until_the_last_item_in_range()
    {
        var handler = new ScriptedHandler()
            .ThenXml(Soap.SyncItemsPage("s1", false,
                "<t:Create><t:Message><t:ItemId Id=\"A=\" ChangeKey=\"a1\"/></t:Message></t:Create>" +
                "<t:Update><t:CalendarItem><t:ItemId Id=\"B=\" ChangeKey=\"b2\"/></t:CalendarItem></t:Update>"))
            .ThenXml(Soap.SyncItemsPage("s2", true,
                "<t:ReadFlagChange><t:ItemId Id=\"A=\" ChangeKey=\"a2\"/><t:IsRead>true</t:IsRead></t:ReadFlagChange>" +
                "<t:Delete><t:ItemId Id=\"B=\" ChangeKey=\"b2\"/></t:Delete>"));
        using var client = TestClients.Create(handler);
        var changes = new List<ItemChange>();
        string? state = null;

        ItemChangesPage page;
        do
        {
            page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", state, 2, null, default);
            changes.AddRange(page.Changes);
            state = page.SyncState;
        }
        while (!page.IncludesLastItemInRange);

        Assert.Equal("s2", state);
        Assert.Equal(
            new[] { (SyncChangeType.Create, "A=", (bool?)null), (SyncChangeType.Update, "B=", null), (SyncChangeType.ReadFlagChange, "A=", true), (SyncChangeType.Delete, "B=", null) },
            changes.Select(c => (c.ChangeType, c.ItemId, c.IsRead)));
        XNamespace m = Soap.MessagesNs;
        Assert.Equal(new[] { null, "s1" }, handler.Requests.Select(r => r.Operation.Element(m + "SyncState")?.Value));
    }

    [Theory]
    [InlineData("<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/>", "no SyncState")]
    [InlineData("<m:SyncState>s</m:SyncState><m:Changes/>", "IncludesLastItemInRange")]
    [InlineData("<m:SyncState>s</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes><t:Delete/></m:Changes>", "no ItemId")]
    public async Task A_success_page_without_what_sync_needs_is_invalid(string content, string problem)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("SyncFolderItems", Soap.Success("SyncFolderItems", content)));
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 10, null, default));

        Assert.Equal("EwsInvalidResponse", error.ErrorId);
        Assert.Contains(problem, error.Message);
    }
}
