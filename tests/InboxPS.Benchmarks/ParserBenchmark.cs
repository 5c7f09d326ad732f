using System.Globalization;
using System.Xml;
using InboxPS.Core.Ews;
using InboxPS.Core.Ews.Protocol;

namespace InboxPS.Benchmarks;

/// <summary>
/// The SyncFolderItems response reader against a bare XmlReader pass over the same bytes with the same (async,
/// hardened) settings: the reader may cost at most half the bare pass's speed. Everything runs from memory, so every
/// await completes synchronously and per-thread allocation counts are exact.
/// </summary>
internal static class ParserBenchmark
{
    private const int Changes = 512;
    private const double Target = 0.5;

    public static async Task<IReadOnlyList<BenchmarkRow>> RunAsync()
    {
        var body = SyncPageGenerator.Generate(Changes);
        var payload = SyncPageGenerator.Describe(body, Changes);
        await CheckParsesAsync(body);

        var results = await Measurement.CompareAsync(
            new Func<Task>[] { () => BarePassAsync(body), () => ParseAsync(body), () => BareSyncPass(body) },
            body.Length, Measurement.ThreadAllocations);
        var (bare, parser, bareSync) = (results[0], results[1], results[2]);
        var ratio = parser.MegabytesPerSecond / bare.MegabytesPerSecond;
        var verdict = ratio >= Target ? "target met" : "TARGET MISSED";
        return new[]
        {
            new BenchmarkRow("bare XmlReader pass (async, same settings)", payload, bare.MegabytesPerSecond, bare.AllocatedPerOperation, "baseline"),
            new BenchmarkRow("EWS SyncFolderItems reader", payload, parser.MegabytesPerSecond, parser.AllocatedPerOperation,
                string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}x of bare (target >= {Target:F2}: {verdict})")),
            new BenchmarkRow("bare XmlReader pass (sync, for reference)", payload, bareSync.MegabytesPerSecond, bareSync.AllocatedPerOperation,
                string.Create(CultureInfo.InvariantCulture, $"reader is {parser.MegabytesPerSecond / bareSync.MegabytesPerSecond:F2}x of it")),
        };
    }

    private static Task<ItemChangesPage> ParseAsync(byte[] body)
    {
        var operation = new SyncFolderItemsOperation("inbox", null, Changes);
        var context = new ResponseContext(operation.Name, null, "benchmark");
        return SoapEnvelopeReader.ReadAsync(new MemoryStream(body, writable: false), operation.Name, operation.CreateHandler(), context);
    }

    private static async Task BarePassAsync(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body, writable: false), Settings(async: true));
        while (await reader.ReadAsync())
        {
        }
    }

    private static Task BareSyncPass(byte[] body)
    {
        using var reader = XmlReader.Create(new MemoryStream(body, writable: false), Settings(async: false));
        while (reader.Read())
        {
        }

        return Task.CompletedTask;
    }

    private static XmlReaderSettings Settings(bool async) => new()
    {
        Async = async,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
    };

    private static async Task CheckParsesAsync(byte[] body)
    {
        var page = await ParseAsync(body);
        if (page.Changes.Count != Changes)
        {
            throw new InvalidOperationException($"The reader returned {page.Changes.Count} changes, not {Changes}.");
        }
    }
}
