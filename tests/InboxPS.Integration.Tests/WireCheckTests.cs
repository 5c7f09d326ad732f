using InboxPS.Integration.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>
/// The end-to-end fixtures check every EWS request InboxPS sent against Microsoft's schema (and its X-AnchorMailbox)
/// when they dispose (<see cref="WireChecks"/>). Without ../shared this test is skipped, saying the schema check is off.
/// </summary>
public sealed class WireCheckTests : IClassFixture<SimulatedTenant>
{
    private readonly SimulatedTenant _tenant;

    public WireCheckTests(SimulatedTenant tenant) => _tenant = tenant;

    [SharedFact]
    public void The_simulator_checks_every_EWS_request_against_the_schema_in_shared()
    {
        Assert.True(_tenant.Simulator.Control.Metrics.SchemaChecked,
            $"The end-to-end simulators do not check requests against {WireChecks.SchemaFolder}.");
    }
}
