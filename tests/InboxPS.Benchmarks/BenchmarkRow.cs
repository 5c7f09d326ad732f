using System.Globalization;
using System.Text;

namespace InboxPS.Benchmarks;

/// <summary>One measured line: what ran, on what, how fast, how much it allocated, and against which baseline.</summary>
internal sealed record BenchmarkRow(string Benchmark, string Payload, double MegabytesPerSecond, long BytesAllocatedPerOperation, string Relative)
{
    public const string Header =
        "| benchmark | payload | MB/s | allocated per op | relative |\n" +
        "|---|---|---:|---:|---|\n";

    public static string Markdown(IEnumerable<BenchmarkRow> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Benchmark} | {row.Payload} | {row.MegabytesPerSecond:F1} | {Size(row.BytesAllocatedPerOperation)} | {row.Relative} |\n");
        }

        return text.ToString();
    }

    public static string Size(long bytes) => bytes >= 10 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
}
