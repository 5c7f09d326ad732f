using InboxPS.Core.Auth;
using InboxPS.Core.Graph;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Auth;

/// <summary>The GraphAppOnly access type: planning, the Graph root and scope per cloud, and the EWS retirement warning.</summary>
public sealed class GraphAccessTypeTests
{
    private static readonly DateTimeOffset s_duringBlocking = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(ExchangeEnvironment.Global, "https://graph.microsoft.com/", "https://graph.microsoft.com/.default")]
    [InlineData(ExchangeEnvironment.USGovGCCHigh, "https://graph.microsoft.us/", "https://graph.microsoft.us/.default")]
    [InlineData(ExchangeEnvironment.USGovDoD, "https://dod-graph.microsoft.us/", "https://dod-graph.microsoft.us/.default")]
    [InlineData(ExchangeEnvironment.China, "https://microsoftgraph.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default")]
    public void The_environment_chooses_the_graph_root_and_the_token_scope(ExchangeEnvironment environment, string root, string scope)
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.GraphAppOnly) { Environment = environment }, s_duringBlocking);

        Assert.Equal(new Uri(root), GraphAccess.EndpointFor(plan.Profile).Root);
        Assert.Equal(new[] { scope }, OAuthSettings.For(plan.Profile).AppOnlyScopes);
        Assert.Equal(ExchangeCloud.For(environment).AuthorityHost, new Uri(new Uri(OAuthSettings.For(plan.Profile).Authority), "/"));
    }

    [Theory]
    [InlineData("https://127.0.0.1:8443/v1.0/")]
    [InlineData("https://127.0.0.1:8443/v1.0")]
    [InlineData("https://127.0.0.1:8443/")]
    public void A_graph_url_override_is_the_root_with_or_without_its_version_and_tokens_stay_for_the_clouds_graph(string given)
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("lab", AccessType.GraphAppOnly) { GraphUrl = new Uri(given) }, s_duringBlocking);

        Assert.Equal(new Uri("https://127.0.0.1:8443/"), GraphAccess.EndpointFor(plan.Profile).Root);
        Assert.Equal(new[] { "https://graph.microsoft.com/.default" }, OAuthSettings.For(plan.Profile).AppOnlyScopes);
    }

    [Theory]
    [InlineData("http://graph.contoso.com/v1.0/", "InsecureGraphUrl")]
    [InlineData("ftp://graph.contoso.com/v1.0/", "InvalidGraphUrl")]
    public void An_unsafe_graph_url_is_refused(string url, string errorId)
    {
        var request = new AccessTypeRequest("lab", AccessType.GraphAppOnly) { GraphUrl = new Uri(url) };

        Assert.Equal(errorId, Assert.Throws<InboxException>(() => AccessTypePlanner.Plan(null, request, s_duringBlocking)).ErrorId);
    }

    [Fact]
    public void Exchange_online_over_EWS_warns_with_the_shutdown_date_and_the_one_command_that_switches()
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking);

        var warning = Assert.Single(plan.Warnings);
        Assert.Contains("1 April 2027", warning, StringComparison.Ordinal);
        Assert.Contains("Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Graph_has_no_EWS_warning_and_on_premises_EWS_none_either()
    {
        Assert.Empty(AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.GraphAppOnly), s_duringBlocking).Warnings);
        var onPremises = new AccessTypeRequest("fabrikam", AccessType.OAuthAppOnly) { EwsUrl = new Uri("https://mail.fabrikam.com/EWS/Exchange.asmx") };
        Assert.Empty(AccessTypePlanner.Plan(null, onPremises, s_duringBlocking).Warnings);
    }

    [Fact]
    public void China_without_mail_delta_is_warned_about()
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("cn", AccessType.GraphAppOnly) { Environment = ExchangeEnvironment.China }, s_duringBlocking);

        Assert.Contains("GraphDeltaUnsupported", Assert.Single(plan.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Switching_EWS_to_Graph_and_back_keeps_the_EWS_url_and_invalidates_the_sign_in()
    {
        var ews = AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking).Profile;

        var toGraph = AccessTypePlanner.Plan(ews, new AccessTypeRequest("contoso", AccessType.GraphAppOnly), s_duringBlocking);
        var back = AccessTypePlanner.Plan(toGraph.Profile, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking);

        Assert.True(toGraph.InvalidatesSignIn);
        Assert.True(toGraph.Profile.UsesGraph);
        Assert.Equal(ews.EwsUrl, back.Profile.EwsUrl);
        Assert.True(back.InvalidatesSignIn);
        Assert.Equal(new[] { "https://outlook.office365.com/.default" }, OAuthSettings.For(back.Profile).AppOnlyScopes);
    }
}

public sealed class GraphRolesWarningTests
{
    [Theory]
    [InlineData("Mail.Read")]
    [InlineData("Mail.ReadWrite")]
    [InlineData("mail.read")]
    public void Mail_Read_or_ReadWrite_needs_no_warning(string role) =>
        Assert.Null(GraphServiceAccountCheck.RolesWarning("contoso", "app", new[] { "User.Read.All", role }));

    [Fact]
    public void An_opaque_token_needs_no_warning() => Assert.Null(GraphServiceAccountCheck.RolesWarning("contoso", "app", null));

    [Fact]
    public void Mail_ReadBasic_All_alone_warns_metadata_only_and_names_the_grant()
    {
        var warning = GraphServiceAccountCheck.RolesWarning("contoso", "app-1", new[] { "Mail.ReadBasic.All" });

        Assert.Contains("metadata only", warning, StringComparison.Ordinal);
        Assert.Contains("-IncludeMime", warning, StringComparison.Ordinal);
        Assert.Contains("Application Mail.Read", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void No_mail_role_warns_that_RBAC_for_Applications_grants_are_not_in_the_token_and_the_check_decides()
    {
        var warning = GraphServiceAccountCheck.RolesWarning("contoso", "app-1", Array.Empty<string>());

        Assert.Contains("RBAC for", warning, StringComparison.Ordinal);
        Assert.Contains("decides", warning, StringComparison.Ordinal);
    }
}
