using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Auth;

public sealed class AccessTypePlannerTests
{
    private static readonly DateTimeOffset s_beforeBlocking = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_duringBlocking = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_afterShutdown = new(2027, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_app_only_organization_gets_the_global_exchange_online_endpoint()
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking);

        Assert.True(plan.IsNew);
        Assert.False(plan.InvalidatesSignIn);
        Assert.Equal(ExchangeEnvironment.Global, plan.Profile.Environment);
        Assert.Equal(new Uri("https://outlook.office365.com/EWS/Exchange.asmx"), plan.Profile.EwsUrl);
    }

    [Theory]
    [InlineData(ExchangeEnvironment.USGovGCCHigh, "https://outlook.office365.us/EWS/Exchange.asmx")]
    [InlineData(ExchangeEnvironment.USGovDoD, "https://webmail.apps.mil/EWS/Exchange.asmx")]
    [InlineData(ExchangeEnvironment.China, "https://partner.outlook.cn/EWS/Exchange.asmx")]
    public void A_sovereign_environment_gets_its_own_endpoint(ExchangeEnvironment environment, string expected)
    {
        var request = new AccessTypeRequest("gov", AccessType.OAuthAppOnly) { Environment = environment };

        var plan = AccessTypePlanner.Plan(null, request, s_duringBlocking);

        Assert.Equal(new Uri(expected), plan.Profile.EwsUrl);
    }

    [Fact]
    public void The_environment_follows_from_a_sovereign_ews_url()
    {
        var request = new AccessTypeRequest("gov", AccessType.OAuthAppOnly) { EwsUrl = new Uri("https://outlook.office365.us/EWS/Exchange.asmx") };

        Assert.Equal(ExchangeEnvironment.USGovGCCHigh, AccessTypePlanner.Plan(null, request, s_duringBlocking).Profile.Environment);
    }

    [Fact]
    public void An_environment_that_contradicts_the_ews_url_is_refused()
    {
        var request = new AccessTypeRequest("gov", AccessType.OAuthAppOnly)
        {
            EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx"),
            Environment = ExchangeEnvironment.China,
        };

        var error = Assert.Throws<InboxException>(() => AccessTypePlanner.Plan(null, request, s_duringBlocking));

        Assert.Equal("EnvironmentMismatch", error.ErrorId);
        Assert.Contains("Global", error.RecommendedAction);
    }

    [Fact]
    public void Basic_authentication_is_refused_for_exchange_online_and_the_alternative_is_named()
    {
        var request = new AccessTypeRequest("contoso", AccessType.BasicImpersonation) { EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx") };

        var error = Assert.Throws<InboxException>(() => AccessTypePlanner.Plan(null, request, s_duringBlocking));

        Assert.Equal("BasicAuthNotSupported", error.ErrorId);
        Assert.Equal(InboxErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("2022", error.Message);
        Assert.Contains("OAuthAppOnly", error.RecommendedAction);
    }

    [Fact]
    public void Basic_authentication_needs_the_on_premises_ews_url()
    {
        var error = Assert.Throws<InboxException>(() =>
            AccessTypePlanner.Plan(null, new AccessTypeRequest("onprem", AccessType.BasicImpersonation), s_duringBlocking));

        Assert.Equal("EwsUrlRequired", error.ErrorId);
    }

    [Fact]
    public void A_bare_server_address_gets_the_ews_path_and_on_premises_gets_no_warning()
    {
        var request = new AccessTypeRequest("onprem", AccessType.BasicImpersonation) { EwsUrl = new Uri("https://mail.contoso.com") };

        var plan = AccessTypePlanner.Plan(null, request, s_duringBlocking);

        Assert.Equal(new Uri("https://mail.contoso.com/EWS/Exchange.asmx"), plan.Profile.EwsUrl);
        Assert.Empty(plan.Warnings);
    }

    [Theory]
    [InlineData("http://mail.contoso.com/EWS/Exchange.asmx", "InsecureEwsUrl")]
    [InlineData("ftp://mail.contoso.com/EWS/Exchange.asmx", "InvalidEwsUrl")]
    public void Unsafe_or_wrong_ews_urls_are_refused(string url, string errorId)
    {
        var request = new AccessTypeRequest("onprem", AccessType.BasicImpersonation) { EwsUrl = new Uri(url) };

        Assert.Equal(errorId, Assert.Throws<InboxException>(() => AccessTypePlanner.Plan(null, request, s_duringBlocking)).ErrorId);
    }

    [Fact]
    public void Plain_http_to_this_machine_is_allowed_for_labs_and_tests()
    {
        var request = new AccessTypeRequest("lab", AccessType.BasicImpersonation) { EwsUrl = new Uri("http://127.0.0.1:8080/EWS/Exchange.asmx") };

        Assert.Equal(request.EwsUrl, AccessTypePlanner.Plan(null, request, s_duringBlocking).Profile.EwsUrl);
    }

    [Fact]
    public void Delegated_impersonation_on_exchange_online_warns_that_the_role_is_gone_and_names_app_only()
    {
        var plan = AccessTypePlanner.Plan(null, new AccessTypeRequest("contoso", AccessType.OAuthImpersonation), s_duringBlocking);

        var warning = Assert.Single(plan.Warnings, w => w.Contains("ApplicationImpersonation"));
        Assert.Contains("February 2025", warning);
        Assert.Contains("OAuthAppOnly", warning);
    }

    [Fact]
    public void The_ews_retirement_warning_follows_the_calendar()
    {
        var profile = new OrganizationProfile("contoso") { EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx") };

        var before = Assert.Single(AccessTypePlanner.Warnings(profile, s_beforeBlocking));
        var during = Assert.Single(AccessTypePlanner.Warnings(profile, s_duringBlocking));
        var after = Assert.Single(AccessTypePlanner.Warnings(profile, s_afterShutdown));

        Assert.Contains("starts blocking EWS on 1 October 2026", before);
        Assert.Contains("has been blocking EWS since 1 October 2026", during);
        Assert.Contains("1 April 2027", during);
        Assert.Contains("EwsAllowedAppIDs", during);
        Assert.Contains("switched EWS off", after);
    }

    [Fact]
    public void Changing_the_access_type_invalidates_the_sign_in_but_keeps_the_app_settings()
    {
        var existing = new OrganizationProfile("contoso")
        {
            AccessType = AccessType.OAuthImpersonation,
            EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx"),
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "11111111-2222-3333-4444-555555555555",
            ServiceAccount = "svc@contoso.com",
            CreatedOn = s_beforeBlocking,
        };

        var plan = AccessTypePlanner.Plan(existing, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking);

        Assert.False(plan.IsNew);
        Assert.True(plan.InvalidatesSignIn);
        Assert.Equal("contoso.onmicrosoft.com", plan.Profile.TenantId);
        Assert.Equal(existing.ClientId, plan.Profile.ClientId);
        Assert.Equal(s_beforeBlocking, plan.Profile.CreatedOn);
        Assert.Equal(AccessType.OAuthImpersonation, existing.AccessType);
    }

    [Fact]
    public void Pointing_at_another_ews_server_invalidates_the_sign_in()
    {
        var existing = new OrganizationProfile("onprem") { AccessType = AccessType.BasicImpersonation, EwsUrl = new Uri("https://mail.contoso.com/EWS/Exchange.asmx") };
        var request = new AccessTypeRequest("onprem", AccessType.BasicImpersonation) { EwsUrl = new Uri("https://mail2.contoso.com/EWS/Exchange.asmx") };

        Assert.True(AccessTypePlanner.Plan(existing, request, s_duringBlocking).InvalidatesSignIn);
    }

    [Fact]
    public void Setting_the_same_type_again_keeps_the_sign_in()
    {
        var existing = new OrganizationProfile("contoso") { AccessType = AccessType.OAuthAppOnly, EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx") };

        Assert.False(AccessTypePlanner.Plan(existing, new AccessTypeRequest("contoso", AccessType.OAuthAppOnly), s_duringBlocking).InvalidatesSignIn);
    }

    [Fact]
    public void Moving_to_another_cloud_replaces_a_default_endpoint_but_keeps_a_custom_one()
    {
        var onDefault = new OrganizationProfile("a") { EwsUrl = new Uri("https://outlook.office365.com/EWS/Exchange.asmx") };
        var onPremises = new OrganizationProfile("b") { EwsUrl = new Uri("https://mail.contoso.com/EWS/Exchange.asmx") };
        var toChina = new AccessTypeRequest("a", AccessType.OAuthAppOnly) { Environment = ExchangeEnvironment.China };

        var moved = AccessTypePlanner.Plan(onDefault, toChina, s_duringBlocking);
        var kept = AccessTypePlanner.Plan(onPremises, toChina, s_duringBlocking);

        Assert.Equal(new Uri("https://partner.outlook.cn/EWS/Exchange.asmx"), moved.Profile.EwsUrl);
        Assert.True(moved.InvalidatesSignIn);
        Assert.Equal(onPremises.EwsUrl, kept.Profile.EwsUrl);
    }
}
