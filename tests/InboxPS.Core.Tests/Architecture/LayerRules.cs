namespace InboxPS.Core.Tests.Architecture;

/// <summary>
/// Which folder of the core may use which (issue 12, "Core as a stack"). The engine (Sync) knows only the shared kernel;
/// a protocol (Ews, and Graph after it) implements the engine's interfaces; the store implements the engine's and the
/// organizations' interfaces; Auth signs in for organizations; Hosting, the composition, wires them all and nothing in
/// the core uses it. A folder without a rule is itself a failure, so a new one gets its place on purpose.
/// </summary>
public sealed class LayerRules
{
    public static readonly LayerRules Core = new(new Dictionary<string, string[]>
    {
        [FolderGraph.Root] = Array.Empty<string>(),
        ["Sync"] = new[] { FolderGraph.Root },
        ["Organizations"] = new[] { FolderGraph.Root },
        ["Auth"] = new[] { "Organizations", FolderGraph.Root },
        ["Ews"] = new[] { "Sync", FolderGraph.Root },
        ["Graph"] = new[] { "Sync", FolderGraph.Root },
        ["Store"] = new[] { "Sync", "Organizations", FolderGraph.Root },
        ["Hosting"] = new[] { "Sync", "Organizations", "Auth", "Ews", "Graph", "Store", FolderGraph.Root },
    });

    private readonly IReadOnlyDictionary<string, string[]> _allowed;

    public LayerRules(IReadOnlyDictionary<string, string[]> allowed)
    {
        _allowed = allowed;
    }

    /// <summary>What breaks the rules: folders without a rule, forbidden edges with their evidence, cycles.</summary>
    public IReadOnlyList<string> Violations(FolderGraph graph)
    {
        var violations = new List<string>();
        foreach (var folder in graph.Folders.Where(f => !_allowed.ContainsKey(f)).OrderBy(f => f, StringComparer.Ordinal))
        {
            violations.Add($"folder {folder} has no rule: give it its place in {nameof(LayerRules)}");
        }

        foreach (var edge in graph.Edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal))
        {
            if (_allowed.TryGetValue(edge.From, out var targets) && !targets.Contains(edge.To))
            {
                violations.Add($"forbidden: {edge}");
            }
        }

        foreach (var cycle in graph.Cycles())
        {
            violations.Add($"cycle between {string.Join(", ", cycle)}");
        }

        return violations;
    }
}
