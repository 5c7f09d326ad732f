namespace InboxPS.Core.Tests.Architecture;

/// <summary>An edge between two folders of the core, with the type uses that make it (the evidence a failure shows).</summary>
public sealed record FolderEdge(string From, string To, IReadOnlyList<string> Evidence)
{
    public override string ToString() => $"{From} -> {To} ({string.Join("; ", Evidence.Take(3))}{(Evidence.Count > 3 ? "; ..." : "")})";
}

/// <summary>
/// The core's types grouped by folder (namespace = folder): "InboxPS.Core" itself is the shared kernel
/// (<see cref="Root"/>), "InboxPS.Core.Sync.X" belongs to Sync. Types outside the root namespace (compiler-emitted
/// attributes, &lt;Module&gt;) belong to no folder.
/// </summary>
public sealed class FolderGraph
{
    public const string Root = "(root)";

    public FolderGraph(IEnumerable<FolderEdge> edges)
    {
        Edges = edges.ToList();
    }

    public IReadOnlyList<FolderEdge> Edges { get; }

    public IEnumerable<string> Folders => Edges.SelectMany(e => new[] { e.From, e.To }).Distinct();

    /// <summary>The folder graph of <paramref name="uses"/> for types under <paramref name="rootNamespace"/>.</summary>
    public static FolderGraph From(IEnumerable<TypeUse> uses, string rootNamespace) => new(uses
        .Select(u => (Use: u, From: FolderOf(u.SourceNamespace, rootNamespace), To: FolderOf(u.TargetNamespace, rootNamespace)))
        .Where(x => x.From is not null && x.To is not null && x.From != x.To)
        .GroupBy(x => (x.From, x.To))
        .Select(g => new FolderEdge(g.Key.From!, g.Key.To!, g.Select(x => $"{x.Use.Source} uses {x.Use.Target}").Distinct().OrderBy(s => s).ToList())));

    public static string? FolderOf(string ns, string rootNamespace)
    {
        if (ns == rootNamespace)
        {
            return Root;
        }

        if (!ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns.Substring(rootNamespace.Length + 1);
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest.Substring(0, dot);
    }

    /// <summary>Every cycle between folders, each as the folders on it in order (Tarjan's strongly connected components).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var next = Edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            foreach (var to in next.TryGetValue(folder, out var targets) ? targets : new List<string>())
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[folder] = Math.Min(low[folder], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[folder] = Math.Min(low[folder], index[to]);
                }
            }

            if (low[folder] == index[folder])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != folder);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(component);
                }
            }
        }

        foreach (var folder in Folders.OrderBy(f => f, StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        return cycles;
    }
}
