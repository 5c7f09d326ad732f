using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Support;

/// <summary>
/// What every end-to-end run ends with: InboxPS sent only EWS requests that Microsoft's schema accepts, each routed by an
/// X-AnchorMailbox naming the mailbox it impersonates. The schema check needs ../shared/ews-schema; without it only the
/// routing is checked, and <see cref="WireCheckTests"/> is skipped saying so.
/// </summary>
public static class WireChecks
{
    public static string? SchemaFolder => SharedMaterial.Root is { } shared ? Path.Combine(shared, "ews-schema") : null;

    /// <summary>The options, checking every EWS request against the schema when ../shared is beside the repository.</summary>
    public static SimulatorOptions Checked(SimulatorOptions options)
    {
        options.EwsSchemaFolder = SchemaFolder;
        return options;
    }

    public static void AssertClean(ExchangeSimulator simulator)
    {
        var metrics = simulator.Control.Metrics;
        Assert.True(metrics.SchemaInvalidRequests == 0,
            $"{metrics.SchemaInvalidRequests} EWS request(s) failed the schema:\n" + string.Join("\n", metrics.SchemaErrors));
        Assert.Equal((0L, 0L), (metrics.MissingAnchorMailbox, metrics.MismatchedAnchorMailbox));
    }
}
