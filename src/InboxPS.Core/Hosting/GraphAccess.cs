using System;
using System.Net.Http;
using InboxPS.Core.Auth;
using InboxPS.Core.Graph;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Hosting;

/// <summary>Where an organization on <see cref="AccessType.GraphAppOnly"/> reaches Microsoft Graph, and the client for its connection.</summary>
public static class GraphAccess
{
    private const string VersionSegment = "v1.0/";

    /// <summary>
    /// The organization's -GraphUrl (with or without its trailing v1.0/ segment, which the client adds itself), or its
    /// cloud's Graph root.
    /// </summary>
    public static GraphEndpoint EndpointFor(OrganizationProfile organization)
    {
        if (organization.GraphUrl is { } custom)
        {
            var text = custom.GetLeftPart(UriPartial.Path);
            if (!text.EndsWith("/", StringComparison.Ordinal))
            {
                text += "/";
            }

            if (text.EndsWith("/" + VersionSegment, StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring(0, text.Length - VersionSegment.Length);
            }

            return GraphEndpoint.Custom(new Uri(text));
        }

        return GraphEndpoint.For(organization.Environment switch
        {
            ExchangeEnvironment.USGovGCCHigh => GraphCloud.USGovGCCHigh,
            ExchangeEnvironment.USGovDoD => GraphCloud.USGovDoD,
            ExchangeEnvironment.China => GraphCloud.China,
            _ => GraphCloud.Global,
        });
    }

    /// <summary>A Graph client signing with the connection's tokens; <paramref name="handler"/> null uses the connection's.</summary>
    public static GraphClient ClientFor(InboxConnection connection, HttpMessageHandler? handler, Action<string>? trace = null)
    {
        var tokens = connection.Tokens ?? throw new ArgumentException(
            $"The organization '{connection.Organization.Name}' is connected without OAuth tokens, which Microsoft Graph needs.", nameof(connection));
        return new GraphClient(new GraphClientOptions(EndpointFor(connection.Organization)) { Trace = trace }, tokens,
            handler ?? connection.Http.ServiceHandler);
    }
}
