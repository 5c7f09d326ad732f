using System;

namespace InboxPS.Core.Graph;

/// <summary>
/// Where Graph answers (its root, without the version segment) and the scope app-only tokens are asked for. One of the
/// national clouds, or an override for a test endpoint.
/// </summary>
public sealed class GraphEndpoint
{
    private GraphEndpoint(Uri root, bool supportsMailDelta)
    {
        Root = root;
        SupportsMailDelta = supportsMailDelta;
    }

    /// <summary>E.g. https://graph.microsoft.com/ (always ends in a slash).</summary>
    public Uri Root { get; }

    /// <summary>The client-credentials scope: "{root}/.default".</summary>
    public string Scope => Root.GetLeftPart(UriPartial.Authority) + "/.default";

    /// <summary>
    /// False in the China cloud (21Vianet): its v1.0 API has no delta function for messages or mail folders, so delta
    /// sync is refused there with a clear error instead of a 400 from the service.
    /// </summary>
    public bool SupportsMailDelta { get; }

    public static GraphEndpoint For(GraphCloud cloud) => cloud switch
    {
        GraphCloud.Global => new GraphEndpoint(new Uri("https://graph.microsoft.com/"), true),
        GraphCloud.USGovGCCHigh => new GraphEndpoint(new Uri("https://graph.microsoft.us/"), true),
        GraphCloud.USGovDoD => new GraphEndpoint(new Uri("https://dod-graph.microsoft.us/"), true),
        GraphCloud.China => new GraphEndpoint(new Uri("https://microsoftgraph.chinacloudapi.cn/"), false),
        _ => throw new ArgumentOutOfRangeException(nameof(cloud), cloud, "Unknown cloud."),
    };

    /// <summary>A Graph-compatible endpoint at another address (a test endpoint). Plain http only to this machine.</summary>
    /// <exception cref="InboxException">GraphPlainHttpRefused: a bearer token would cross the network in clear text.</exception>
    public static GraphEndpoint Custom(Uri root)
    {
        if (root is null)
        {
            throw new ArgumentNullException(nameof(root));
        }

        if (!root.IsAbsoluteUri || (root.Scheme != Uri.UriSchemeHttps && root.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{root}' is not an http(s) address of a Graph endpoint.", nameof(root));
        }

        // The same rule as the EWS side: tokens never travel in clear text, except to this machine (tests).
        if (root.Scheme != Uri.UriSchemeHttps && !root.IsLoopback)
        {
            throw new InboxException(GraphErrorIds.PlainHttpRefused, InboxErrorKind.InvalidArgument,
                $"Refusing to send access tokens to '{root.GetLeftPart(UriPartial.Path)}' over plain http: anyone on the network could read them.",
                "Use the https address of the Graph endpoint.", root.Host);
        }

        var text = root.GetLeftPart(UriPartial.Path);
        return new GraphEndpoint(new Uri(text.EndsWith("/", StringComparison.Ordinal) ? text : text + "/"), true);
    }

    /// <summary>Whether <paramref name="link"/> (a nextLink or deltaLink) points at this endpoint, so a token may go there.</summary>
    public bool Owns(Uri link) =>
        link.IsAbsoluteUri
        && string.Equals(link.Scheme, Root.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(link.Host, Root.Host, StringComparison.OrdinalIgnoreCase)
        && link.Port == Root.Port
        && link.AbsolutePath.StartsWith(Root.AbsolutePath, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Root.ToString();
}
