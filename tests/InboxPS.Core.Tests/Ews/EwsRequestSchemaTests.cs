using System.Xml.Linq;
using InboxPS.Core.Ews;
using InboxPS.Core.Ews.Protocol;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>Every request the client can emit validates against the official schema (../shared/ews-schema).</summary>
public sealed class EwsRequestSchemaTests
{
    internal static readonly string[] SampleRequests =
    {
        "finditem-request-delegate-distinguishedfolderid-mailbox-indexedpageitemview_howto-delegate-email.xml",
        "getfolder-request-inbox_howto-work-with-folders.xml",
        "getfolder-request_ref-getfolder-operation.xml",
        "syncfolderhierarchy-request-incremental_howto-sync-folders.xml",
        "syncfolderhierarchy-request-initial_howto-sync-folders.xml",
        "syncfolderhierarchy-request_ref-syncfolderhierarchy-operation.xml",
        "syncfolderitems-request-incremental_howto-sync-items.xml",
        "syncfolderitems-request-initial_howto-sync-items.xml",
        "syncfolderitems-request_ref-syncfolderitems-operation.xml",
    };

    private const string LongFolderId = "AAMkADk0ZjNlNDFhLTAxNjMtNDMzMi1hZWZiLWI3MjgzZWZmNWZmZAAuAAAAAAA1r6ZAh3TUTZ3XkQnWUvAgAQBlR3Me1H8nTq3yZ/Fl2IDlAAAAAAEMAAA=";

    public static TheoryData<string> Calls() => new(
        "GetFolder inbox", "GetFolder by id", "SyncFolderHierarchy initial", "SyncFolderHierarchy incremental",
        "SyncFolderItems initial", "SyncFolderItems incremental by id", "GetItem", "GetItem with MIME");

    public static TheoryData<ConnectingSidKind, string> Identities() => new()
    {
        { ConnectingSidKind.PrimarySmtpAddress, "alice@contoso.com" },
        { ConnectingSidKind.SmtpAddress, "alice.smith@contoso.com" },
        { ConnectingSidKind.PrincipalName, "alice@corp.contoso.com" },
        { ConnectingSidKind.SID, "S-1-5-21-3623811015-3361044348-30300820-1013" },
    };

    [SharedTheory]
    [MemberData(nameof(Calls))]
    public async Task Each_operation_request_validates(string call)
    {
        var request = await Capture(call, TestClients.Alice, ExchangeServerVersion.Exchange2010_SP2);

        Assert.Empty(EwsSchema.Validate(request.Text));
    }

    [SharedTheory]
    [MemberData(nameof(Identities))]
    public async Task Each_ConnectingSID_kind_validates(ConnectingSidKind kind, string value)
    {
        var request = await Capture("SyncFolderItems incremental by id", new MailboxIdentity(value, kind), ExchangeServerVersion.Exchange2013);

        Assert.Empty(EwsSchema.Validate(request.Text));
        var sid = request.Xml.Descendants(XName.Get("ConnectingSID", Soap.TypesNs)).Single().Elements().Single();
        Assert.Equal((kind.ToString(), value), (sid.Name.LocalName, sid.Value));
    }

    [SharedTheory]
    [InlineData(ExchangeServerVersion.Exchange2010_SP2)]
    [InlineData(ExchangeServerVersion.Exchange2013)]
    [InlineData(ExchangeServerVersion.Exchange2013_SP1)]
    [InlineData(ExchangeServerVersion.Exchange2016)]
    public async Task Each_RequestServerVersion_validates(ExchangeServerVersion version)
    {
        var request = await Capture("GetItem with MIME", TestClients.Alice, version);

        Assert.Empty(EwsSchema.Validate(request.Text));
        Assert.Equal(version.ToString(), (string?)request.Xml.Descendants(XName.Get("RequestServerVersion", Soap.TypesNs)).Single().Attribute("Version"));
    }

    [SharedFact]
    public async Task A_batch_of_100_item_ids_validates()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem",
            Enumerable.Range(0, 100).Select(i => Soap.Error("GetItem", "ErrorItemNotFound")).ToArray()));
        using var client = TestClients.Create(handler);

        await client.GetItemsAsync(TestClients.Alice, Enumerable.Range(0, 100).Select(i => $"AAMkItem{i}=").ToList(), false, null, default);

        Assert.Empty(EwsSchema.Validate(handler.Requests.Single().Text));
    }

    [SharedFact]
    public async Task The_initial_item_sync_request_has_the_shape_of_Microsofts_sample()
    {
        var request = await Capture("SyncFolderItems initial", TestClients.Alice, ExchangeServerVersion.Exchange2013);
        var sample = XDocument.Parse(EwsSamples.Read("syncfolderitems-request-initial_howto-sync-items.xml"));

        Assert.Equal(Outline(sample.Root!.Elements().Last().Elements().Single()), Outline(request.Operation));
    }

    [SharedTheory]
    [MemberData(nameof(SampleRequestFiles))]
    public void The_validator_accepts_Microsofts_sample_requests_and_rejects_the_documented_bad_version(string file)
    {
        var problems = EwsSchema.Validate(EwsSamples.Read(file));

        if (file.StartsWith("finditem-request-delegate", StringComparison.Ordinal))
        {
            // MANIFEST.md: Version=" Exchange2007_SP1" (leading space) is not an ExchangeVersionType value.
            Assert.Contains(problems, p => p.StartsWith("RequestServerVersion", StringComparison.Ordinal) && p.Contains("Version"));
        }
        else
        {
            Assert.Empty(problems);
        }
    }

    [SharedFact]
    public void The_distinguished_folder_names_are_exactly_the_schemas()
    {
        var schema = EwsSchema.Enumeration("types.xsd", "DistinguishedFolderIdNameType");

        Assert.Equal(schema.Order(StringComparer.Ordinal), FolderReference.DistinguishedNames.Order(StringComparer.Ordinal));
    }

    [SharedFact]
    public void Every_response_code_the_error_catalog_names_exists_in_the_schema()
    {
        var schema = EwsSchema.Enumeration("messages.xsd", "ResponseCodeType").ToHashSet(StringComparer.Ordinal);

        var unknown = EwsErrors.KnownResponseCodes.Concat(EwsErrors.ItemScopedResponseCodes).Where(code => !schema.Contains(code)).ToList();

        Assert.Empty(unknown);
    }

    public static TheoryData<string> SampleRequestFiles() => new(SampleRequests);

    // Element names in document order, with the attribute names each carries: the structure without the values.
    private static IEnumerable<string> Outline(XElement element) =>
        element.DescendantsAndSelf().Select(e => e.Name.LocalName + string.Concat(e.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => "@" + a.Name.LocalName)));

    private static async Task<RecordedRequest> Capture(string call, MailboxIdentity mailbox, ExchangeServerVersion version)
    {
        var handler = new ScriptedHandler().Then(_ => Responses.Status(System.Net.HttpStatusCode.NotFound));
        using var client = TestClients.Create(handler, o =>
        {
            o.RequestServerVersion = version;
            o.Retry.MaxAttempts = 1;
        });
        Task task = call switch
        {
            "GetFolder inbox" => client.GetFolderAsync(mailbox, "inbox", null, default),
            "GetFolder by id" => client.GetFolderAsync(mailbox, LongFolderId, null, default),
            "SyncFolderHierarchy initial" => client.SyncFolderHierarchyAsync(mailbox, null, null, default),
            "SyncFolderHierarchy incremental" => client.SyncFolderHierarchyAsync(mailbox, "H4sIAAAAAAAEAO29B2AcSZY=", null, default),
            "SyncFolderItems initial" => client.SyncFolderItemsAsync(mailbox, "inbox", null, 512, null, default),
            "SyncFolderItems incremental by id" => client.SyncFolderItemsAsync(mailbox, LongFolderId, "H4sIAAAAAAAEAO29B2AcSZY=", 1, null, default),
            "GetItem" => client.GetItemsAsync(mailbox, new[] { "AAMkItem1=", "AAMkItem2=" }, false, null, default),
            "GetItem with MIME" => client.GetItemsAsync(mailbox, new[] { "AAMkItem1=" }, true, null, default),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
        await Assert.ThrowsAsync<EwsException>(() => task);
        return handler.Requests.Single();
    }
}
