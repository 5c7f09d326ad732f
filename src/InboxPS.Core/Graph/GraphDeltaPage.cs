using System.Collections.Generic;

namespace InboxPS.Core.Graph;

/// <summary>
/// One page of a delta round, in the order Graph sent it (replays included: the same id may appear twice). Exactly one of
/// <see cref="NextLink"/> (more pages in this round) and <see cref="DeltaLink"/> (round complete) is set, copied verbatim.
/// </summary>
public sealed class GraphDeltaPage<T>
    where T : class
{
    public GraphDeltaPage(IReadOnlyList<GraphDeltaEntry<T>> entries, string? nextLink, string? deltaLink)
    {
        Entries = entries;
        NextLink = nextLink;
        DeltaLink = deltaLink;
    }

    public IReadOnlyList<GraphDeltaEntry<T>> Entries { get; }

    public string? NextLink { get; }

    public string? DeltaLink { get; }

    /// <summary>Where the next call continues: the nextLink within a round, the deltaLink for the next round.</summary>
    public string Link => NextLink ?? DeltaLink!;

    /// <summary>True when this page ends the round (it carries a deltaLink).</summary>
    public bool IsLast => NextLink is null;
}
