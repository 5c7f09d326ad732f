using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Graph;

/// <summary>One national cloud's Graph root (the token audience) and name.</summary>
internal sealed record GraphCloudInfo(GraphCloud Cloud, string Root);

/// <summary>
/// The Graph roots of the national clouds and the Graph application permissions the simulator knows. Sources:
/// ../shared/graph-reference/README.md section 1 (roots) and section 6 (permissions).
/// </summary>
internal static class GraphClouds
{
    /// <summary>Microsoft Graph's first-party app id; "{it}/.default" is another spelling of the global scope.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    public const string MailRead = "Mail.Read";
    public const string MailReadBasicAll = "Mail.ReadBasic.All";
    public const string UserReadAll = "User.Read.All";

    public static readonly GraphCloudInfo Global = new(GraphCloud.Global, "https://graph.microsoft.com");

    public static readonly IReadOnlyList<GraphCloudInfo> All = new[]
    {
        Global,
        new GraphCloudInfo(GraphCloud.USGov, "https://graph.microsoft.us"),
        new GraphCloudInfo(GraphCloud.USGovDoD, "https://dod-graph.microsoft.us"),
        new GraphCloudInfo(GraphCloud.China, "https://microsoftgraph.chinacloudapi.cn"),
    };

    /// <summary>What the generated app and the managed identity are consented for unless the control API changes it.</summary>
    public static readonly string[] DefaultRoles = { MailRead, UserReadAll };

    private static readonly string[] s_knownRoles = { MailRead, MailReadBasicAll, UserReadAll, "Mail.ReadWrite", "Directory.Read.All" };

    public static string RootOf(GraphCloud cloud) => All.First(c => c.Cloud == cloud).Root;

    public static bool IsGraphRole(string role) => s_knownRoles.Contains(role, StringComparer.Ordinal);

    /// <summary>The Graph root a client-credentials scope ("{root}/.default") names, or null when it is not Graph's.</summary>
    public static string? RootOfScope(string scope)
    {
        if (!scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            return null;
        }

        var resource = scope[..^"/.default".Length].TrimEnd('/');
        if (resource.Equals(GraphAppId, StringComparison.OrdinalIgnoreCase))
        {
            return Global.Root;
        }

        return All.FirstOrDefault(c => c.Root.Equals(resource, StringComparison.OrdinalIgnoreCase))?.Root;
    }
}
