using System.Net;
using System.Net.Http.Headers;
using InboxPS.Core;
using InboxPS.Core.Ews;

namespace InboxPS.Benchmarks;

/// <summary>
/// One SyncFolderItemsAsync call end to end (request written, headers, token, response read) over an in-memory
/// handler: the client's whole overhead around the parser. Allocation is counted process-wide (work may hop threads).
/// </summary>
internal static class ClientBenchmark
{
    private const int Changes = 512;

    public static async Task<IReadOnlyList<BenchmarkRow>> RunAsync()
    {
        var body = SyncPageGenerator.Generate(Changes);
        var options = new EwsClientOptions(new Uri("https://mail.contoso.com/EWS/Exchange.asmx"));
        using var handler = new MemoryHandler(body);
        using var client = new EwsClient(options, new BearerTokenAuthenticator(new FixedToken(new AccessToken("benchmark-token", DateTimeOffset.MaxValue))), handler);
        var mailbox = new MailboxIdentity("alice@contoso.com");

        var result = (await Measurement.CompareAsync(
            new Func<Task>[] { () => client.SyncFolderItemsAsync(mailbox, "inbox", "H4sIAAAAAAAEAO29B2AcSZY=", Changes, null, CancellationToken.None) },
            body.Length, Measurement.ProcessAllocations))[0];
        return new[]
        {
            new BenchmarkRow("EwsClient.SyncFolderItemsAsync (in-memory handler)", SyncPageGenerator.Describe(body, Changes),
                result.MegabytesPerSecond, result.AllocatedPerOperation, "request + response, no network"),
        };
    }

    private sealed class MemoryHandler : HttpMessageHandler
    {
        private readonly byte[] _body;

        public MemoryHandler(byte[] body)
        {
            _body = body;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(_body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
