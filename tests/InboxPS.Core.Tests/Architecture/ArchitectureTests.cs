namespace InboxPS.Core.Tests.Architecture;

/// <summary>
/// Issue 12: the core's folders depend on each other one way, read from the compiled InboxPS.Core.dll. A failure lists
/// each forbidden edge with the types that make it.
/// </summary>
public sealed class ArchitectureTests
{
    private const string CoreNamespace = "InboxPS.Core";

    // The base class library: netstandard itself and the parts of .NET's library netstandard2.0 receives as packages.
    private static readonly HashSet<string> s_baseLibrary = new(StringComparer.Ordinal)
    {
        "netstandard", "System.Threading.Channels", "Microsoft.Bcl.AsyncInterfaces", "System.Memory", "System.Buffers",
        "System.Threading.Tasks.Extensions", "System.Runtime.CompilerServices.Unsafe",
    };

    private static readonly Lazy<IReadOnlyList<TypeUse>> s_coreUses =
        new(() => TypeReferenceReader.Read(typeof(InboxException).Assembly.Location));

    [Fact]
    public void The_core_folders_depend_on_each_other_only_as_the_rules_allow()
    {
        var violations = LayerRules.Core.Violations(FolderGraph.From(s_coreUses.Value, CoreNamespace));

        Assert.True(violations.Count == 0, "InboxPS.Core breaks its layering:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_engine_uses_no_package_beyond_the_base_library()
    {
        var packages = s_coreUses.Value
            .Where(u => FolderGraph.FolderOf(u.SourceNamespace, CoreNamespace) == "Sync")
            .Where(u => u.TargetAssembly != "InboxPS.Core" && !s_baseLibrary.Contains(u.TargetAssembly))
            .Select(u => $"{u.Source} uses {u.Target} ({u.TargetAssembly})")
            .Distinct()
            .ToList();

        Assert.True(packages.Count == 0, "Sync uses packages:\n" + string.Join("\n", packages));
    }

    [Fact]
    public void The_core_knows_neither_PowerShell_nor_the_cmdlets()
    {
        var outward = s_coreUses.Value
            .Where(u => u.TargetAssembly is "System.Management.Automation" or "InboxPS")
            .Select(u => $"{u.Source} uses {u.Target}")
            .Distinct()
            .ToList();

        Assert.Empty(outward);
    }

    [Fact]
    public void The_reader_sees_the_core_folders_it_is_meant_to_judge()
    {
        var folders = FolderGraph.From(s_coreUses.Value, CoreNamespace).Folders.ToList();

        // A reader that found nothing would pass every rule: prove it sees the edges the design has.
        Assert.Superset(new HashSet<string> { FolderGraph.Root, "Sync", "Ews", "Auth", "Store", "Organizations", "Hosting" }, folders.ToHashSet());
    }

    [Fact]
    public void A_forbidden_edge_added_to_the_real_graph_fails()
    {
        var real = FolderGraph.From(s_coreUses.Value, CoreNamespace);
        var injected = new FolderGraph(real.Edges.Append(new FolderEdge("Sync", "Store", new[] { "injected by the test" })));

        Assert.Contains(LayerRules.Core.Violations(injected), v => v.StartsWith("forbidden: Sync -> Store", StringComparison.Ordinal));
    }
}
