namespace InboxPS.Core.Tests.Architecture;

/// <summary>The rule checker over small hand-made graphs: what it must refuse, and that the intended stack passes.</summary>
public sealed class LayerRulesTests
{
    private const string Root = FolderGraph.Root;

    [Fact]
    public void Each_edge_of_the_former_tangle_fails_and_so_does_its_cycle()
    {
        // The core before issue 12: organizations resolved through the store, the store implementing the engine, the
        // engine asking Auth's static registry for a connection, the registry opening a concrete store.
        var tangle = Graph(("Organizations", "Store"), ("Store", "Organizations"), ("Store", "Sync"), ("Sync", "Auth"),
            ("Auth", "Store"), ("Sync", "Ews"), ("Auth", "Ews"));

        var violations = LayerRules.Core.Violations(tangle);

        Assert.Contains("forbidden: Organizations -> Store (evidence)", violations);
        Assert.Contains("forbidden: Sync -> Auth (evidence)", violations);
        Assert.Contains("forbidden: Auth -> Store (evidence)", violations);
        Assert.Contains("forbidden: Sync -> Ews (evidence)", violations);
        Assert.Contains("forbidden: Auth -> Ews (evidence)", violations);
        Assert.Contains("cycle between Auth, Organizations, Store, Sync", violations);
    }

    [Fact]
    public void Nothing_in_the_core_may_use_the_composition()
    {
        var violations = LayerRules.Core.Violations(Graph(("Sync", "Hosting"), ("Store", "Hosting"), ("Auth", "Hosting"), (Root, "Hosting")));

        Assert.Equal(4, violations.Count(v => v.StartsWith("forbidden:", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_root_namespace_depends_on_no_folder()
    {
        Assert.Contains("forbidden: (root) -> Sync (evidence)", LayerRules.Core.Violations(Graph((Root, "Sync"))));
    }

    [Fact]
    public void Ews_and_Graph_never_know_each_other_nor_the_store()
    {
        var violations = LayerRules.Core.Violations(Graph(("Graph", "Ews"), ("Ews", "Graph"), ("Ews", "Store"), ("Store", "Ews")));

        Assert.Equal(4, violations.Count(v => v.StartsWith("forbidden:", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_folder_without_a_rule_fails()
    {
        Assert.Contains("folder Helpers has no rule: give it its place in LayerRules",
            LayerRules.Core.Violations(Graph(("Helpers", Root))));
    }

    [Fact]
    public void The_intended_stack_passes()
    {
        var stack = Graph(("Sync", Root), ("Ews", "Sync"), ("Ews", Root), ("Graph", "Sync"), ("Store", "Sync"), ("Store", "Organizations"),
            ("Auth", "Organizations"), ("Organizations", Root), ("Hosting", "Ews"), ("Hosting", "Auth"), ("Hosting", "Store"), ("Hosting", "Sync"));

        Assert.Empty(LayerRules.Core.Violations(stack));
    }

    [Fact]
    public void Cycles_are_found_even_where_every_edge_is_allowed()
    {
        var everything = new LayerRules(new Dictionary<string, string[]>
        {
            ["A"] = new[] { "B", "C", "D" },
            ["B"] = new[] { "A", "C", "D" },
            ["C"] = new[] { "A", "B", "D" },
            ["D"] = new[] { "A", "B", "C" },
        });

        var violations = everything.Violations(Graph(("A", "B"), ("B", "C"), ("C", "A"), ("D", "A")));

        Assert.Equal(new[] { "cycle between A, B, C" }, violations);
    }

    private static FolderGraph Graph(params (string From, string To)[] edges) =>
        new(edges.Select(e => new FolderEdge(e.From, e.To, new[] { "evidence" })));
}
