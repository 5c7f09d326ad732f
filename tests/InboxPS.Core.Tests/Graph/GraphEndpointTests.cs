using InboxPS.Core.Graph;

namespace InboxPS.Core.Tests.Graph;

public sealed class GraphEndpointTests
{
    [Theory]
    [InlineData(GraphCloud.Global, "https://graph.microsoft.com/", "https://graph.microsoft.com/.default", true)]
    [InlineData(GraphCloud.USGovGCCHigh, "https://graph.microsoft.us/", "https://graph.microsoft.us/.default", true)]
    [InlineData(GraphCloud.USGovDoD, "https://dod-graph.microsoft.us/", "https://dod-graph.microsoft.us/.default", true)]
    [InlineData(GraphCloud.China, "https://microsoftgraph.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default", false)]
    public void Each_cloud_has_its_root_and_scope(GraphCloud cloud, string root, string scope, bool delta)
    {
        var endpoint = GraphEndpoint.For(cloud);

        Assert.Equal((root, scope, delta), (endpoint.Root.ToString(), endpoint.Scope, endpoint.SupportsMailDelta));
    }

    [Fact]
    public void Plain_http_is_refused_except_to_this_machine()
    {
        var error = Assert.Throws<InboxException>(() => GraphEndpoint.Custom(new Uri("http://graph.contoso.com/")));

        Assert.Equal((GraphErrorIds.PlainHttpRefused, InboxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Equal("http://127.0.0.1:5001/graph/", GraphEndpoint.Custom(new Uri("http://127.0.0.1:5001/graph")).Root.ToString());
        Assert.Equal("https://sim.contoso.test:8443/", GraphEndpoint.Custom(new Uri("https://sim.contoso.test:8443")).Root.ToString());
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/v1.0/users/a/messages/delta?$skiptoken=1", true)]
    [InlineData("https://GRAPH.microsoft.com/v1.0/x", true)]
    [InlineData("https://graph.microsoft.com.evil.example/v1.0/x", false)]
    [InlineData("https://graph.microsoft.com:8443/v1.0/x", false)]
    [InlineData("http://graph.microsoft.com/v1.0/x", false)]
    public void A_link_belongs_to_the_endpoint_only_on_its_scheme_host_and_port(string link, bool owned)
    {
        Assert.Equal(owned, GraphEndpoint.For(GraphCloud.Global).Owns(new Uri(link)));
    }

    [Fact]
    public void A_custom_endpoint_owns_only_links_under_its_path()
    {
        var endpoint = GraphEndpoint.Custom(new Uri("https://127.0.0.1:5001/graph/"));

        Assert.True(endpoint.Owns(new Uri("https://127.0.0.1:5001/graph/v1.0/x")));
        Assert.False(endpoint.Owns(new Uri("https://127.0.0.1:5001/ews/x")));
    }

    [Fact]
    public async Task Delta_sync_is_refused_with_a_clear_error_where_the_cloud_has_none()
    {
        using var client = new GraphClient(new GraphClientOptions(GraphEndpoint.For(GraphCloud.China)), new Ews.Support.FakeTokenSource(),
            new Ews.Support.ScriptedHandler());

        var error = await Assert.ThrowsAsync<InboxException>(() => client.GetMessageChangesAsync("alice@contoso.cn", "inbox", null, null, default));

        Assert.Equal(GraphErrorIds.DeltaUnsupported, error.ErrorId);
        Assert.Contains("alice@contoso.cn", error.Message);
    }
}
