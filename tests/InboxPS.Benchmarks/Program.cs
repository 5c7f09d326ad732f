using InboxPS.Benchmarks;

// dotnet run -c Release --project tests/InboxPS.Benchmarks -- <benchmark|all> [--out FILE]
// Each benchmark returns markdown table rows; --out appends them to FILE (with the header when the file is new).
var benchmarks = new Dictionary<string, Func<Task<IReadOnlyList<BenchmarkRow>>>>(StringComparer.OrdinalIgnoreCase)
{
    ["parser"] = ParserBenchmark.RunAsync,
    ["client"] = ClientBenchmark.RunAsync,
    ["graphbatch"] = GraphBatchBenchmark.RunAsync,
    ["store"] = StoreBenchmark.RunAsync,
};

var names = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var outIndex = Array.IndexOf(args, "--out");
var outFile = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
if (names.Count == 0 || (outIndex >= 0 && outFile is null) || names.Any(n => n != "all" && !benchmarks.ContainsKey(n)))
{
    Console.Error.WriteLine($"usage: InboxPS.Benchmarks <{string.Join("|", benchmarks.Keys)}|all>... [--out FILE]");
    return 2;
}

var rows = new List<BenchmarkRow>();
foreach (var name in names.Contains("all") ? benchmarks.Keys.ToList() : names)
{
    rows.AddRange(await benchmarks[name]());
}

var table = BenchmarkRow.Markdown(rows);
Console.Write(BenchmarkRow.Header + table);
if (outFile is not null)
{
    var isNew = !File.Exists(outFile) || new FileInfo(outFile).Length == 0;
    File.AppendAllText(outFile, (isNew ? BenchmarkRow.Header : string.Empty) + table);
}

return 0;
