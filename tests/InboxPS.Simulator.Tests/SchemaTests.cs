using System.Xml.Linq;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// Every kind of answer the simulator gives validates against Microsoft's messages.xsd/types.xsd, and its SOAP faults
/// have the shape of the real faults in ../shared/ews-samples.
/// </summary>
public sealed class SchemaTests : IClassFixture<SimulatorFixture>
{
    private readonly ExchangeSimulator _sim;

    public SchemaTests(SimulatorFixture fixture)
    {
        _sim = fixture.Simulator;
    }

    public static TheoryData<string, string> Requests() => new()
    {
        { "GetFolder Default, several", Ops.GetFolder("Default", "msgfolderroot", "inbox", "sentitems", "drafts", "deleteditems", "calendar", "contacts") },
        { "GetFolder AllProperties", Ops.GetFolder("AllProperties", "inbox", "junkemail", "archive", "root") },
        { "GetFolder unknown distinguished", Ops.GetFolder("IdOnly", "tasks") },
        { "GetFolder malformed id", Ops.GetFolderById("AAMuAgarbage") },
        { "SyncFolderHierarchy initial", Ops.SyncFolderHierarchy() },
        { "SyncFolderHierarchy IdOnly from root", Ops.SyncFolderHierarchy(shape: "IdOnly", syncFolder: "root") },
        { "SyncFolderHierarchy bad state", Ops.SyncFolderHierarchy("bm9wZQ==") },
        { "SyncFolderItems initial IdOnly", Ops.SyncFolderItems("inbox", null, 5) },
        { "SyncFolderItems AllProperties", Ops.SyncFolderItems("sentitems", null, 50, "AllProperties") },
        { "SyncFolderItems bad state", Ops.SyncFolderItems("inbox", "bm9wZQ==", 5) },
        { "ResolveNames one", Ops.ResolveNames("user0020@contoso.test") },
        { "ResolveNames several", Ops.ResolveNames("user002") },
        { "ResolveNames none", Ops.ResolveNames("nobody-by-that-name") },
    };

    [SharedTheory]
    [MemberData(nameof(Requests))]
    public async Task AnswersValidateAgainstTheEwsSchema(string what, string operation)
    {
        using var client = EwsClient.Basic(_sim);

        var answer = await client.SendAsync(operation, "user0020@contoso.test");

        Assert.True(answer.Status == System.Net.HttpStatusCode.OK, what + ": " + answer.Text);
        Assert.Empty(SchemaValidator.Validate(answer));
    }

    [SharedFact]
    public async Task TheValidatorRejectsAnAnswerWithPropertiesOutOfSchemaOrder()
    {
        using var client = EwsClient.Basic(_sim);
        var answer = await client.SendAsync(Ops.SyncFolderItems("inbox", null, 1, "AllProperties"), "user0022@contoso.test");
        var document = XDocument.Parse(answer.Text);
        var message = document.Descendants(EwsClient.T + "Message").First();
        var subject = message.Element(EwsClient.T + "Subject")!;
        subject.Remove();
        message.Add(subject);

        var broken = new EwsAnswer(answer.Status, answer.Headers, document.ToString());

        Assert.Empty(SchemaValidator.Validate(answer));
        Assert.Contains(SchemaValidator.Validate(broken), e => e.Contains("Subject", StringComparison.Ordinal));
    }

    [SharedFact]
    public async Task IncrementalChangesOfEveryKindAndGetItemBatchesValidate()
    {
        const string mailbox = "user0021@contoso.test";
        using var client = EwsClient.Basic(_sim);
        var state = Ops.State(await client.SendAsync(Ops.SyncFolderItems("inbox", null, 512), mailbox));
        var changes = _sim.Control.InjectChanges(mailbox, "inbox", creates: 2, updates: 2, deletes: 2, readFlagChanges: 2);
        var ids = _sim.Control.GetItems(mailbox).Take(3).Select(i => i.ItemId).Concat(changes.Deleted).Append("AAMkAbad").ToList();

        var answers = new[]
        {
            await client.SendAsync(Ops.SyncFolderItems("inbox", state, 512, "AllProperties"), mailbox),
            await client.SendAsync(Ops.GetItem(ids, "AllProperties", mime: true), mailbox),
            await client.SendAsync(Ops.GetItem(ids, "IdOnly"), mailbox),
        };

        Assert.Equal(new[] { "Create", "Update", "Delete", "ReadFlagChange" }.Order(), Ops.Changes(answers[0]).Select(c => c.Kind).Distinct().Order());
        Assert.Contains(answers[1].Messages, m => (string?)m.Element(EwsClient.M + "ResponseCode") == "ErrorItemNotFound");
        Assert.Contains(answers[1].Messages, m => (string?)m.Element(EwsClient.M + "ResponseCode") == "ErrorInvalidIdMalformed");
        Assert.All(answers, a => Assert.Empty(SchemaValidator.Validate(a)));
    }

    [SharedFact]
    public async Task ErrorResponseMessagesValidate()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 5, BrokenMailboxes = true });
        sim.Control.SetThrottling(maxConcurrentSyncCallsPerMailbox: 1, backOff: TimeSpan.Zero);
        sim.Control.SetFaults(latency: TimeSpan.FromMilliseconds(300));
        using var client = EwsClient.Basic(sim);

        var moving = await client.SendAsync(Ops.GetItem(new[] { "AAMkA1", "AAMkA2" }), "moving@contoso.test");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.SendAsync(Ops.SyncFolderItems("inbox", null, 5), "user0001@contoso.test")));
        var busy = Assert.Single(concurrent, a => a.ResponseCode == "ErrorServerBusy");

        Assert.Equal(2, moving.Messages.Count);
        Assert.All(moving.Messages, m => Assert.Equal("ErrorMailboxMoveInProgress", (string?)m.Element(EwsClient.M + "ResponseCode")));
        Assert.Empty(SchemaValidator.Validate(moving));
        Assert.Empty(SchemaValidator.Validate(busy));
    }

    [SharedFact]
    public async Task ServerBusyFaultHasTheShapeOfARealOne()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 5 });
        sim.Control.ThrottleMailbox("user0001@contoso.test", 1);
        using var client = EwsClient.Basic(sim);

        var answer = await client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test");

        var sample = LoadSample("errorserverbusy-soapfault-backoffmilliseconds_exchangelib-fixture.xml");
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(Shape(sample), Shape(answer.Xml));
        Assert.Equal(5000, answer.BackOffMilliseconds);
    }

    [SharedFact]
    public async Task ConnectionCountFaultHasTheShapeOfARealOne()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 3, ItemsPerFolder = 5, MaxConcurrencyPerMailbox = 1 });
        sim.Control.SetFaults(latency: TimeSpan.FromMilliseconds(300));
        using var client = EwsClient.Basic(sim);

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.SendAsync(Ops.GetFolder("IdOnly", "inbox"), "user0001@contoso.test")));

        var sample = LoadSample("errorexceededconnectioncount-soapfault-maxconcurrency27_ews-rs-fixture.xml");
        var refused = answers.First(a => a.FaultCode == "ErrorExceededConnectionCount");
        Assert.Equal(Shape(sample), Shape(refused.Xml));
        Assert.Equal(
            sample.Descendants(EwsClient.T + "Value").Select(v => (string?)v.Attribute("Name")),
            refused.Xml.Descendants(EwsClient.T + "Value").Select(v => (string?)v.Attribute("Name")));
    }

    /// <summary>Element names (with namespaces) in document order: the structure, not the values.</summary>
    private static IReadOnlyList<string> Shape(XDocument document) =>
        document.Descendants().Select(e => e.Name.ToString()).Distinct().ToList();

    private static XDocument LoadSample(string name)
    {
        // Line 1 of each sample is a provenance comment that must go before the XML declaration can be parsed.
        var lines = File.ReadAllLines(SharedMaterial.Path("ews-samples", name));
        return XDocument.Parse(string.Join("\n", lines.Skip(1)));
    }
}
