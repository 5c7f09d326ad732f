using System.Net;
using InboxPS.Core.Ews;
using InboxPS.Core.Ews.Protocol;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>
/// Every message in ../shared/ews-samples, read as MANIFEST.md describes. Doc errors a real server could send are
/// tolerated (a leading space in an id, no Version in ServerVersionInfo, a placeholder MailboxGuid, text where Microsoft
/// cut blocks); the one it could not (the SOAP prefix bound to https://) is refused with a clear error, and the sample
/// is then read again with only that corrected.
/// </summary>
public sealed class EwsSampleResponseTests
{
    private static readonly string[] s_covered =
    {
        "addnewimcontacttogroup-response-error-ErrorNonExistentMailbox_ref-addnewimcontacttogroup-operation.xml",
        "errorexceededconnectioncount-soapfault-maxconcurrency27_ews-rs-fixture.xml",
        "errorserverbusy-soapfault-backoffmilliseconds_exchangelib-fixture.xml",
        "exportitems-response-error-ErrorNonExistentMailbox_ref-exportitems-operation.xml",
        "finditem-response-delegate_howto-delegate-email.xml",
        "getfolder-response-error-soapbody_ref-getfolder-operation.xml",
        "getfolder-response-inbox-exchange2013_howto-work-with-folders.xml",
        "getfolder-response-success_ref-getfolder-operation.xml",
        "syncfolderhierarchy-response-error-ErrorInvalidSyncStateData_ref-syncfolderhierarchy-operation.xml",
        "syncfolderhierarchy-response-incremental-create-update-delete_howto-sync-folders.xml",
        "syncfolderhierarchy-response-initial_howto-sync-folders.xml",
        "syncfolderhierarchy-response-success_ref-syncfolderhierarchy-operation.xml",
        "syncfolderitems-response-error-ErrorInvalidSyncStateData_ref-syncfolderitems-operation.xml",
        "syncfolderitems-response-errorserverbusy-concurrentsynccalls_ews-rs-fixture.xml",
        "syncfolderitems-response-incremental-create-update-delete-readflag_howto-sync-items.xml",
        "syncfolderitems-response-initial_howto-sync-items.xml",
        "syncfolderitems-response-success_ref-syncfolderitems-operation.xml",
    };

    [SharedFact]
    public void Every_sample_file_is_covered_by_a_test_here_or_in_the_request_tests()
    {
        var uncovered = EwsSamples.Files().Except(s_covered).Except(EwsRequestSchemaTests.SampleRequests).ToList();

        Assert.Empty(uncovered);
    }

    [SharedFact]
    public async Task GetFolder_success_without_xml_declaration_reads_the_inbox_and_the_Exchange_2007_version()
    {
        var (client, _) = Serve(EwsSamples.Read("getfolder-response-success_ref-getfolder-operation.xml"));

        var folder = await client.GetFolderAsync(TestClients.Alice, "inbox", null, default);

        Assert.Equal(("AQApA=", "AQAAAB", "Inbox"), (folder.FolderId, folder.ChangeKey, folder.DisplayName));
        Assert.Equal((2, 0, 2), (folder.TotalCount, folder.ChildFolderCount, folder.UnreadCount));
        Assert.Equal("8.0.628.0", client.ServerVersion!.ToString());
        Assert.Null(client.ServerVersion.Version);
    }

    [SharedFact]
    public async Task GetFolder_success_also_reads_with_the_provenance_comment_in_place()
    {
        // MANIFEST.md: the one sample without an XML declaration parses even with line 1 kept.
        var path = SharedMaterial.Path("ews-samples", "getfolder-response-success_ref-getfolder-operation.xml");
        var (client, _) = Serve(await File.ReadAllTextAsync(path));

        Assert.Equal("Inbox", (await client.GetFolderAsync(TestClients.Alice, "inbox", null, default)).DisplayName);
    }

    [SharedFact]
    public async Task GetFolder_error_in_a_soap_body_becomes_an_EwsInvalidId_error_with_the_servers_text()
    {
        var (client, handler) = Serve(EwsSamples.Read("getfolder-response-error-soapbody_ref-getfolder-operation.xml"));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsInvalidId", "ErrorInvalidIdMalformed", false), (error.ErrorId, error.ResponseCode, error.IsTransient));
        Assert.Contains("Id is malformed.", error.Message);
        Assert.Equal(200, error.HttpStatus);
        Assert.Single(handler.Requests);
    }

    [SharedFact]
    public async Task GetFolder_inbox_howto_is_refused_for_its_https_soap_namespace_and_reads_once_corrected()
    {
        const string file = "getfolder-response-inbox-exchange2013_howto-work-with-folders.xml";
        var (client, _) = Serve(EwsSamples.Read(file));

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));
        Assert.Equal(("EwsInvalidResponse", false), (error.ErrorId, error.IsTransient));
        Assert.Contains("'https://schemas.xmlsoap.org/soap/envelope/'", error.Message);

        var (corrected, _) = Serve(EwsSamples.ReadWithSoapNamespaceCorrected(file));
        var folder = await corrected.GetFolderAsync(TestClients.Alice, "inbox", null, default);
        Assert.Equal(("AAAENAAA=", "AQAAABYAAAAPxolXAHv3TaHUnjW8wWqXAAAEkbCr", ""), (folder.FolderId, folder.ChangeKey, folder.DisplayName));
        Assert.Equal("15.0.800.16 (V2_6)", corrected.ServerVersion!.ToString());
    }

    [SharedFact]
    public async Task SyncFolderHierarchy_ref_success_with_a_default_namespace_root_reads_the_created_folder()
    {
        var (client, _) = Serve(EwsSamples.Read("syncfolderhierarchy-response-success_ref-syncfolderhierarchy-operation.xml"));

        var page = await client.SyncFolderHierarchyAsync(TestClients.Alice, null, null, default);

        Assert.Equal(("H4sIAAA==", true), (page.SyncState, page.IncludesLastFolderInRange));
        var change = Assert.Single(page.Changes);
        Assert.Equal((SyncChangeType.Create, "AQApAHR="), (change.ChangeType, change.FolderId));
        Assert.Equal(("NewFolder", "IPF.Note", "AQApA=", "AQAAABY"), (change.Folder!.DisplayName, change.Folder.FolderClass, change.Folder.ParentFolderId, change.Folder.ChangeKey));
        Assert.Equal((0, 0, 0), (change.Folder.TotalCount, change.Folder.ChildFolderCount, change.Folder.UnreadCount));
    }

    [SharedFact]
    public async Task SyncFolderHierarchy_incremental_howto_reads_update_create_and_delete_once_corrected()
    {
        const string file = "syncfolderhierarchy-response-incremental-create-update-delete_howto-sync-folders.xml";
        await AssertRefusedForHttpsNamespace(file, c => c.SyncFolderHierarchyAsync(TestClients.Alice, "H4sIAA==", null, default));
        var (client, _) = Serve(EwsSamples.ReadWithSoapNamespaceCorrected(file));

        var page = await client.SyncFolderHierarchyAsync(TestClients.Alice, "H4sIAA==", null, default);

        Assert.Equal(("H4sIAAA", true), (page.SyncState, page.IncludesLastFolderInRange));
        Assert.Equal(
            new[] { (SyncChangeType.Update, "AAMkADM="), (SyncChangeType.Create, "AAMkADMzM="), (SyncChangeType.Delete, "AAMkAD/AAA=") },
            page.Changes.Select(c => (c.ChangeType, c.FolderId)));
        var meetingNotes = page.Changes[0].Folder!;
        Assert.Equal(("Meeting Notes", "IPF.Note", "AQMkADMzADI1==", 3, 0), (meetingNotes.DisplayName, meetingNotes.FolderClass, meetingNotes.ParentFolderId, meetingNotes.TotalCount, meetingNotes.UnreadCount));
        Assert.Equal("Schedules", page.Changes[1].Folder!.DisplayName);
        Assert.Null(page.Changes[2].Folder);
    }

    [SharedFact]
    public async Task SyncFolderHierarchy_initial_howto_reads_the_four_folders_and_steps_over_the_text_Microsoft_left_for_removed_blocks()
    {
        const string file = "syncfolderhierarchy-response-initial_howto-sync-folders.xml";
        await AssertRefusedForHttpsNamespace(file, c => c.SyncFolderHierarchyAsync(TestClients.Alice, null, null, default));
        var (client, _) = Serve(EwsSamples.ReadWithSoapNamespaceCorrected(file));

        var page = await client.SyncFolderHierarchyAsync(TestClients.Alice, null, null, default);

        Assert.Equal(new[] { "AAMkADM=", "AAMkADMzM=", "AAMkAD/AAA=", "AAMkADBh=" }, page.Changes.Select(c => c.FolderId));
        Assert.All(page.Changes, c => Assert.Equal((SyncChangeType.Create, ""), (c.ChangeType, c.Folder!.DisplayName)));
    }

    [SharedTheory]
    [InlineData("syncfolderhierarchy-response-error-ErrorInvalidSyncStateData_ref-syncfolderhierarchy-operation.xml", "SyncFolderHierarchy")]
    [InlineData("syncfolderitems-response-error-ErrorInvalidSyncStateData_ref-syncfolderitems-operation.xml", "SyncFolderItems")]
    public async Task An_invalid_sync_state_is_thrown_as_EwsInvalidSyncState_and_never_retried(string file, string operation)
    {
        var (client, handler) = Serve(EwsSamples.Read(file));

        var error = await Assert.ThrowsAsync<EwsException>(() => operation == "SyncFolderItems"
            ? client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "H4sIA=", 100, null, default)
            : client.SyncFolderHierarchyAsync(TestClients.Alice, "H4sIA=", null, default));

        Assert.Equal(("EwsInvalidSyncState", InboxErrorKind.InvalidData, false), (error.ErrorId, error.Kind, error.IsTransient));
        Assert.Equal("ErrorInvalidSyncStateData", error.ResponseCode);
        Assert.Contains("otherwise invalid", error.Message);
        Assert.Single(handler.Requests);
    }

    [SharedFact]
    public async Task SyncFolderItems_ref_success_reads_a_meeting_request_create()
    {
        var (client, _) = Serve(EwsSamples.Read("syncfolderitems-response-success_ref-syncfolderitems-operation.xml"));

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "sentitems", "AEbJ94eMOAAA=", 100, null, default);

        Assert.Equal(("H4sIAAAAA=", true), (page.SyncState, page.IncludesLastItemInRange));
        var change = Assert.Single(page.Changes);
        Assert.Equal((SyncChangeType.Create, "AQApAHRwA==", "CwAAABYA", (bool?)null), (change.ChangeType, change.ItemId, change.ChangeKey, change.IsRead));
    }

    [SharedFact]
    public async Task SyncFolderItems_initial_howto_reads_five_creates_once_corrected()
    {
        const string file = "syncfolderitems-response-initial_howto-sync-items.xml";
        await AssertRefusedForHttpsNamespace(file, c => c.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 10, null, default));
        var (client, _) = Serve(EwsSamples.ReadWithSoapNamespaceCorrected(file));

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 10, null, default);

        Assert.Equal(("H4sIAAA==", true), (page.SyncState, page.IncludesLastItemInRange));
        Assert.Equal(new[] { "q04QAAAA==", "q07AAAAA==", "q1AwAAAA==", "AAMkADBh==", "AAMkADBh==" }, page.Changes.Select(c => c.ItemId));
        Assert.All(page.Changes, c => Assert.Equal(SyncChangeType.Create, c.ChangeType));
        Assert.Equal("CQAAABYAAABhFfgM7MNwSYx0VZ0GoBMJAAAATVc4", page.Changes[4].ChangeKey);
    }

    [SharedFact]
    public async Task SyncFolderItems_incremental_howto_reads_all_four_change_types_keeping_ids_byte_for_byte()
    {
        const string file = "syncfolderitems-response-incremental-create-update-delete-readflag_howto-sync-items.xml";
        await AssertRefusedForHttpsNamespace(file, c => c.SyncFolderItemsAsync(TestClients.Alice, "inbox", "H4sIAAA==", 10, null, default));
        var (client, _) = Serve(EwsSamples.ReadWithSoapNamespaceCorrected(file));

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "H4sIAAA==", 10, null, default);

        // Ids are opaque: the leading spaces of this doc sample are kept, so the server gets back exactly what it sent.
        Assert.Equal(
            new[]
            {
                (SyncChangeType.Update, "q04QAAAA==", "CQAAABYAAADZGACZQpSgSpyNkexYe2b7AAAAird/", (bool?)true),
                (SyncChangeType.Create, "AQMkAD+", null, true),
                (SyncChangeType.Create, "Q04AAAAA==", "AAAirbnd", true),
                (SyncChangeType.ReadFlagChange, " q07AAAAA==", "CQAAAA==", true),
                (SyncChangeType.Delete, " q1AwAAAA==", "CQAAAA==", null),
            },
            page.Changes.Select(c => (c.ChangeType, c.ItemId, c.ChangeKey, c.IsRead)));
    }

    [SharedFact]
    public async Task The_item_reader_reads_the_full_messages_of_the_incremental_howto()
    {
        var xml = EwsSamples.ReadWithSoapNamespaceCorrected("syncfolderitems-response-incremental-create-update-delete-readflag_howto-sync-items.xml");

        var read = await RecordingHandler.ReadAsync(xml, "SyncFolderItems", out var context);

        Assert.Equal("15.0.731.10 (V2_3)", context.ServerVersion!.ToString());
        Assert.Equal(3, read.Items.Count);
        var first = read.Items[0];
        Assert.Equal(("q04QAAAA==", " AgENAAAA", "IPM.Note", "RE: Company Soccer Team"), (first.ItemId, first.ParentFolderId, first.ItemClass, first.Subject));
        Assert.Equal(("Alfred  Welker ", "Alfred.Welker@contoso.com", "SMTP"), (first.From!.Name, first.From.Address, first.From.RoutingType));
        Assert.Equal(new DateTimeOffset(2013, 8, 29, 15, 22, 10, TimeSpan.Zero), first.DateTimeSent);
        Assert.Equal(new DateTimeOffset(2013, 8, 29, 15, 22, 10, TimeSpan.Zero), first.DateTimeReceived);
        Assert.Equal((23110, (bool?)true, (bool?)false), (first.Size, first.IsRead, first.HasAttachments));
        Assert.Equal("AAQkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAQACAi+NTh0F5Eg5YDwpJsXPE=", first.ConversationId);

        // The doc escapes twice (&amp;lt;): the value really is the text "&lt;...&gt;", and it is kept as sent.
        Assert.Equal("&lt;e5919a09c8fc4d64b6ffd3542e194fc3@BY2SR01MB609.contoso.com&gt;", first.InternetMessageId);
        Assert.Empty(first.ToRecipients);
        Assert.Equal(("AQMkAD+", "Hope Gross", 32515), (read.Items[1].ItemId, read.Items[1].From!.Name, read.Items[1].Size));
    }

    [SharedFact]
    public async Task ErrorServerBusy_inside_an_http_200_message_is_retried_after_exactly_its_back_off_plus_jitter()
    {
        var busy = EwsSamples.Read("syncfolderitems-response-errorserverbusy-concurrentsynccalls_ews-rs-fixture.xml");
        var handler = new ScriptedHandler().ThenXml(busy).ThenXml(Soap.SyncItemsPage("state-2", true, string.Empty));

        // Held by the call only when allowed: by default a 5 s back-off goes to the engine, which parks the mailbox.
        using var client = TestClients.Create(handler, out var waits, o => o.Retry.MaxHeldWait = TimeSpan.FromSeconds(10));
        var metrics = new CallMetrics();

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "state-1", 512, metrics, default);

        Assert.Equal("state-2", page.SyncState);
        var wait = Assert.Single(waits);
        Assert.InRange(wait, TimeSpan.FromMilliseconds(5000), TimeSpan.FromMilliseconds(5250));
        Assert.Equal((2, 1, wait), (metrics.Requests, metrics.Retries, metrics.ThrottledFor));
    }

    [SharedFact]
    public async Task ErrorServerBusy_sample_gives_up_with_the_servers_error_when_retries_are_off()
    {
        var (client, _) = Serve(EwsSamples.Read("syncfolderitems-response-errorserverbusy-concurrentsynccalls_ews-rs-fixture.xml"), maxAttempts: 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default));

        Assert.Equal(("EwsServerBusy", "ErrorServerBusy", true), (error.ErrorId, error.ResponseCode, error.IsTransient));
        Assert.Equal(TimeSpan.FromMilliseconds(5000), error.BackOff);
        Assert.Equal("5000", error.MessageXml["BackOffMilliseconds"]);
        Assert.Contains("ConcurrentSyncCalls", error.Message);
        Assert.Contains("-ThrottleLimit", error.RecommendedAction);
        Assert.Equal("15.20.8769.35 (V2018_01_08)", client.ServerVersion!.ToString());
    }

    [SharedFact]
    public async Task ErrorServerBusy_soap_fault_with_http_500_trims_the_fixture_whitespace_and_reads_the_back_off()
    {
        var (client, _) = Serve(EwsSamples.Read("errorserverbusy-soapfault-backoffmilliseconds_exchangelib-fixture.xml"),
            HttpStatusCode.InternalServerError, maxAttempts: 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsServerBusy", "ErrorServerBusy", 500, true), (error.ErrorId, error.ResponseCode, error.HttpStatus, error.IsTransient));
        Assert.Equal(TimeSpan.FromMilliseconds(297749), error.BackOff);
        Assert.Contains("failed with ErrorServerBusy: The server cannot service this request right now. Try again later. (HTTP 500", error.Message);
    }

    [SharedFact]
    public async Task ErrorExceededConnectionCount_soap_fault_keeps_its_policy_values_and_backs_off_exponentially()
    {
        var fault = EwsSamples.Read("errorexceededconnectioncount-soapfault-maxconcurrency27_ews-rs-fixture.xml");
        var handler = new ScriptedHandler().ThenXml(fault, HttpStatusCode.InternalServerError).ThenXml(fault, HttpStatusCode.InternalServerError);
        using var client = TestClients.Create(handler, out var waits, o => o.Retry.MaxAttempts = 2);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsTooManyConcurrentRequests", InboxErrorKind.ResourceBusy, true), (error.ErrorId, error.Kind, error.IsTransient));
        Assert.Equal(("MaxConcurrency", "27"), (error.MessageXml["Policy"], error.MessageXml["MaxConcurrencyLimit"]));
        Assert.Contains("Suggested backoff time 0 ms", error.MessageXml["ErrorMessage"]);
        Assert.Null(error.BackOff);

        // No usable hint from the server: the default policy's first exponential step, 0.5 to 1 s.
        Assert.InRange(Assert.Single(waits), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
    }

    [SharedFact]
    public async Task ExportItems_mixed_response_reads_each_message_with_its_class_code_and_MailboxGuid()
    {
        var read = await RecordingHandler.ReadAsync(EwsSamples.Read("exportitems-response-error-ErrorNonExistentMailbox_ref-exportitems-operation.xml"),
            "ExportItems", out var context);

        Assert.Equal(
            new[] { (ResponseClass.Success, "NoError"), (ResponseClass.Error, "ErrorInvalidChangeKey"), (ResponseClass.Error, "ErrorNonExistentMailbox") },
            read.Messages.Select(m => (m.Class, m.ResponseCode!)));
        var missing = read.Messages[2].ToException(context);
        Assert.Equal(("EwsMailboxNotFound", "f3f6f699-2254-40ce-9994-388d9d98419e"), (missing.ErrorId, missing.MessageXml["MailboxGuid"]));
        Assert.Equal("14.1.164.0 (Exchange2010_SP1)", context.ServerVersion!.ToString());
    }

    [SharedFact]
    public async Task AddNewImContactToGroup_error_on_the_response_element_itself_keeps_the_placeholder_MailboxGuid_as_text()
    {
        var read = await RecordingHandler.ReadAsync(
            EwsSamples.Read("addnewimcontacttogroup-response-error-ErrorNonExistentMailbox_ref-addnewimcontacttogroup-operation.xml"),
            "AddNewImContactToGroup", out var context);

        var message = Assert.Single(read.Messages);
        var error = message.ToException(context);
        Assert.Equal(("EwsMailboxNotFound", InboxErrorKind.NotFound, false), (error.ErrorId, error.Kind, error.IsTransient));
        Assert.Equal("d5fasdadcw3d-23de-2341-8f59-b71523fsddda", error.MessageXml["MailboxGuid"]);
        Assert.Contains("No mailbox with such guid.", error.Message);
        Assert.Contains("Get-Mailbox alice@contoso.com", error.RecommendedAction);
    }

    [SharedFact]
    public async Task FindItem_delegate_howto_is_refused_for_its_https_namespace_and_its_message_reads_once_corrected()
    {
        const string file = "finditem-response-delegate_howto-delegate-email.xml";
        var refused = await Assert.ThrowsAsync<EwsException>(() => RecordingHandler.ReadAsync(EwsSamples.Read(file), "FindItem", out _));
        Assert.Contains("https://schemas.xmlsoap.org/soap/envelope/", refused.Message);

        var read = await RecordingHandler.ReadAsync(EwsSamples.ReadWithSoapNamespaceCorrected(file), "FindItem", out var context);

        Assert.Equal(ResponseClass.Success, Assert.Single(read.Messages).Class);
        var item = Assert.Single(read.Items);
        Assert.Equal(("iNwoAAA=", "Soccer team", (bool?)false), (item.ItemId, item.Subject, item.IsRead));
        Assert.Equal(new DateTimeOffset(2014, 3, 10, 6, 16, 55, TimeSpan.Zero), item.DateTimeReceived);
        Assert.Equal("V2_10", context.ServerVersion!.Version);
    }

    private static async Task AssertRefusedForHttpsNamespace(string file, Func<EwsClient, Task> call)
    {
        var (client, _) = Serve(EwsSamples.Read(file));
        var error = await Assert.ThrowsAsync<EwsException>(() => call(client));
        Assert.Equal(("EwsInvalidResponse", "InvalidResponse"), (error.ErrorId, error.ResponseCode));
        Assert.Contains("https://schemas.xmlsoap.org/soap/envelope/", error.Message);
    }

    private static (EwsClient Client, ScriptedHandler Handler) Serve(string xml, HttpStatusCode status = HttpStatusCode.OK, int maxAttempts = 6)
    {
        var handler = new ScriptedHandler().ThenXml(xml, status);
        return (TestClients.Create(handler, o => o.Retry.MaxAttempts = maxAttempts), handler);
    }
}
