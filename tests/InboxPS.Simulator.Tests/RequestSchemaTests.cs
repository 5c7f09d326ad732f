using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>
/// Issue 17: with --ews-schema the simulator checks every EWS request against messages.xsd/types.xsd and counts the
/// invalid ones with their first error, so the end-to-end runs can assert InboxPS sent none.
/// </summary>
public sealed class RequestSchemaTests
{
    [SharedFact]
    public async Task A_schema_invalid_request_is_counted_with_its_error_and_a_valid_one_is_not()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions
        {
            Users = 5, ItemsPerFolder = 2, EwsSchemaFolder = SharedMaterial.Path("ews-schema"),
        });
        using var client = EwsClient.Basic(sim);

        await client.SendAsync(Ops.GetFolder("Default", "inbox"), "user0001@contoso.test");
        var valid = sim.Control.Metrics;
        // FolderIds before FolderShape: Exchange answers ErrorSchemaValidation; the simulator answers but counts it.
        await client.SendAsync("<m:GetFolder><m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds>"
            + "<m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape></m:GetFolder>", "user0001@contoso.test");
        var invalid = sim.Control.Metrics;

        Assert.True(valid.SchemaChecked);
        Assert.Equal(0, valid.SchemaInvalidRequests);
        Assert.Equal(1, invalid.SchemaInvalidRequests);
        Assert.Contains("GetFolder", Assert.Single(invalid.SchemaErrors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_schema_folder_nothing_is_checked()
    {
        await using var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 5, ItemsPerFolder = 2 });
        using var client = EwsClient.Basic(sim);

        await client.SendAsync("<m:GetFolder><m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds>"
            + "<m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape></m:GetFolder>", "user0001@contoso.test");

        Assert.False(sim.Control.Metrics.SchemaChecked);
        Assert.Equal(0, sim.Control.Metrics.SchemaInvalidRequests);
    }
}
