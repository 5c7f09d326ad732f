using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using InboxPS.Core.Ews;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>Issue 15, big mailboxes: a page's GetItem batches side by side, and no call of a mailbox sent into a back-off
/// another call of it was told.</summary>
public sealed class EwsOverlapTests
{
    private static readonly MailboxTarget Alice = new("alice@contoso.com", MailboxAddressKind.SmtpAddress);

    [Fact]
    public async Task A_page_is_read_in_GetItem_batches_four_at_once_and_its_items_keep_the_page_order()
    {
        // 600 new items: five batches of 128; the server holds each GetItem until four are in flight (or 10 s pass).
        var ids = Enumerable.Range(0, 600).Select(i => string.Create(CultureInfo.InvariantCulture, $"I{i:000}=")).ToArray();
        using var handler = new GatheringHandler(ids, gather: 4);
        using var client = TestClients.Create(handler);
        var session = new EwsMailboxProtocol(client).Open(Alice);

        var page = await session.SyncItemsAsync("inbox", null, false, default);

        Assert.Equal(ids, page.Upserts.Select(i => i.Id));
        Assert.Equal((5, 4), (handler.GetItemCalls, handler.PeakInFlight));
        Assert.False(handler.GaveUpGathering);
    }

    [Fact]
    public async Task SyncFolderItems_tells_the_pages_state_as_soon_as_it_is_read_before_its_changes_have_arrived()
    {
        // The engine asks for the next page then: the changes of a 512-change page need not be read first.
        var changes = string.Concat(Enumerable.Range(0, 50).Select(i => $"<t:Create><t:Message><t:ItemId Id=\"I{i}=\" ChangeKey=\"C\"/></t:Message></t:Create>"));
        var xml = Encoding.UTF8.GetBytes(Soap.SyncItemsPage("state-1", false, changes));
        using var rest = new SemaphoreSlim(0);
        var handler = new ScriptedHandler().Then(_ =>
        {
            var content = new StreamContent(new PausingStream(xml, Encoding.UTF8.GetBytes(Soap.SyncItemsPage("state-1", false, "")).Length - 40, rest));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/xml");
            // Its length not announced (chunked): parsed as it arrives, as a large page is.
            content.Headers.ContentLength = null;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });
        using var client = TestClients.Create(handler);
        var told = new TaskCompletionSource<(string, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 512, null, default, (state, last) => told.TrySetResult((state, last)));

        Assert.Equal(("state-1", false), await told.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(call.IsCompleted);
        rest.Release();
        var page = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("state-1", false, 50), (page.SyncState, page.IncludesLastItemInRange, page.Changes.Count));
    }

    [Fact]
    public async Task An_error_answer_tells_no_state_even_when_it_carries_one()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("SyncFolderItems", Soap.Error("SyncFolderItems", "ErrorInvalidSyncStateData",
            content: "<m:SyncState>stale</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>")));
        using var client = TestClients.Create(handler);
        var told = 0;

        await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "s", 512, null, default, (_, _) => told++));

        Assert.Equal(0, told);
    }

    [Fact]
    public async Task A_call_of_a_mailbox_told_to_back_off_for_long_is_not_sent_by_its_other_calls()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(60_000), HttpStatusCode.OK);
        using var client = TestClients.Create(handler);
        var metrics = new CallMetrics();

        var first = await Assert.ThrowsAsync<EwsException>(() => client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, default));
        var second = await Assert.ThrowsAsync<EwsException>(() => client.GetItemBatchAsync(TestClients.Alice, new[] { "A=" }, false, metrics, default));

        Assert.Equal(("EwsServerBusy", SyncFault.Throttled), (first.ErrorId, first.Fault));
        Assert.Equal(("EwsServerBusy", SyncFault.Throttled), (second.ErrorId, second.Fault));
        Assert.InRange(second.BackOff!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_short_back_off_one_call_was_told_is_waited_out_by_the_others_of_that_mailbox_before_they_send()
    {
        var page = Soap.SyncItemsPage("next", true, string.Empty);
        var handler = new ScriptedHandler().ThenXml(Soap.ServerBusy(30_000)).ThenXml(page).ThenXml(page);
        using var client = TestClients.Create(handler, out var waits, o => o.Retry.MaxHeldWait = TimeSpan.FromMinutes(1));
        var metrics = new CallMetrics();

        // The first call sleeps its own back-off (recorded, not slept) and retries; the second, sent while that back-off
        // still runs by the clock, waits out the rest of it first.
        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, metrics, default);
        await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", "next", 100, metrics, default);

        Assert.Equal(2, waits.Count);
        Assert.InRange(waits[0], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30.25));
        Assert.InRange(waits[1], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal(3, handler.Requests.Count);

        // Another caller (another mailbox's session) is not held back.
        var other = new CallMetrics();
        var fresh = new ScriptedHandler().ThenXml(page);
        using var otherClient = TestClients.Create(fresh, out var otherWaits);
        await otherClient.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 100, other, default);
        Assert.Empty(otherWaits);
    }

    /// <summary>SyncFolderItems: one page creating the given ids; GetItem: the ids asked for, each held until
    /// <c>gather</c> GetItem calls are in flight at once, so the peak shows how many the client sends side by side.</summary>
    private sealed class GatheringHandler : HttpMessageHandler
    {
        private readonly IReadOnlyList<string> _ids;
        private readonly int _gather;
        private readonly TaskCompletionSource _gathered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _peak;
        private int _getItemCalls;

        public GatheringHandler(IReadOnlyList<string> ids, int gather)
        {
            _ids = ids;
            _gather = gather;
        }

        public int PeakInFlight => Volatile.Read(ref _peak);

        public int GetItemCalls => Volatile.Read(ref _getItemCalls);

        public bool GaveUpGathering { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = XDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var operation = body.Root!.Element(XName.Get("Body", Soap.SoapNs))!.Elements().Single().Name.LocalName;
            if (operation == "SyncFolderItems")
            {
                var changes = string.Concat(_ids.Select(id => $"<t:Create><t:Message><t:ItemId Id=\"{id}\" ChangeKey=\"k\"/></t:Message></t:Create>"));
                return Responses.Xml(Soap.SyncItemsPage("s1", true, changes));
            }

            Interlocked.Increment(ref _getItemCalls);
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _peak, inFlight);
            if (inFlight >= _gather)
            {
                _gathered.TrySetResult();
            }

            try
            {
                if (await Task.WhenAny(_gathered.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)) != _gathered.Task)
                {
                    GaveUpGathering = true;
                }

                var asked = body.Descendants().Where(e => e.Name.LocalName == "ItemId").Select(e => (string)e.Attribute("Id")!);
                var items = new StringBuilder();
                foreach (var id in asked)
                {
                    items.Append(Soap.Success("GetItem", $"<m:Items><t:Message><t:ItemId Id=\"{id}\" ChangeKey=\"k\"/><t:Subject>s</t:Subject></t:Message></m:Items>"));
                }

                return Responses.Xml(Soap.Response("GetItem", items.ToString()));
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
