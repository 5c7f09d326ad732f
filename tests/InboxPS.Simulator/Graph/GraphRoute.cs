using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// Which Graph resource a path names. Segment names are case-insensitive (the docs mix mailfolders and mailFolders) and
/// key syntax is accepted wherever a path segment is (mailFolders('id'), as Graph's own nextLinks use it).
/// </summary>
internal sealed record GraphRoute(string Name, string? User = null, string? Folder = null, string? Message = null)
{
    private static readonly Regex s_keySegment = new(@"^(?<name>[^()]+)\('(?<key>[^']*)'\)$", RegexOptions.CultureInvariant);

    public static List<string> Segments(string path)
    {
        var segments = new List<string>();
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            // Function-call syntax (delta(), as the Graph SDKs send it) names the same function as delta.
            var segment = Uri.UnescapeDataString(raw);
            segment = segment.EndsWith("()", StringComparison.Ordinal) ? segment[..^2] : segment;
            var key = s_keySegment.Match(segment);
            if (key.Success)
            {
                segments.Add(key.Groups["name"].Value);
                segments.Add(key.Groups["key"].Value);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return segments;
    }

    public static GraphRoute? Match(IReadOnlyList<string> s, string method)
    {
        bool Is(int i, string name) => s.Count > i && s[i].Equals(name, StringComparison.OrdinalIgnoreCase);
        var get = method.Equals("GET", StringComparison.OrdinalIgnoreCase);
        if (!Is(0, "users"))
        {
            return null;
        }

        return s.Count switch
        {
            1 when get => new GraphRoute("users"),
            2 when get => new GraphRoute("user", s[1]),
            3 when Is(2, "translateExchangeIds") && !get => new GraphRoute("translateExchangeIds", s[1]),
            4 when get && Is(2, "mailFolders") && Is(3, "delta") => new GraphRoute("mailFolders/delta", s[1]),
            4 when get && Is(2, "mailFolders") => new GraphRoute("mailFolder", s[1], s[3]),
            6 when get && Is(2, "mailFolders") && Is(4, "messages") && Is(5, "delta") => new GraphRoute("messages/delta", s[1], s[3]),
            4 when get && Is(2, "messages") => new GraphRoute("message", s[1], Message: s[3]),
            5 when get && Is(2, "messages") && Is(4, "$value") => new GraphRoute("$value", s[1], Message: s[3]),
            _ => null,
        };
    }
}
