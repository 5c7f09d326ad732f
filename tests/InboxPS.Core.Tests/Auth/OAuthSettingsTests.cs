using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Auth;

public sealed class OAuthSettingsTests
{
    [Fact]
    public void Exchange_online_tokens_are_for_the_clouds_exchange_resource()
    {
        var settings = OAuthSettings.For(new OrganizationProfile("gov")
        {
            Environment = ExchangeEnvironment.USGovGCCHigh,
            EwsUrl = new Uri("https://outlook.office365.us/EWS/Exchange.asmx"),
            TenantId = "gov.onmicrosoft.us",
        });

        Assert.Equal("https://login.microsoftonline.us/gov.onmicrosoft.us/", settings.Authority);
        Assert.False(settings.IsCustomAuthority);
        Assert.Equal(new[] { "https://outlook.office365.us/.default" }, settings.AppOnlyScopes);
        Assert.Equal(new[] { "https://outlook.office365.us/EWS.AccessAsUser.All" }, settings.DelegatedScopes);
    }

    [Fact]
    public void An_endpoint_under_another_name_still_gets_exchange_online_tokens_of_its_cloud()
    {
        var settings = OAuthSettings.For(new OrganizationProfile("onprem") { EwsUrl = new Uri("https://mail.contoso.com/EWS/Exchange.asmx") });

        Assert.Equal("https://outlook.office365.com", settings.Resource);
        Assert.Equal("https://login.microsoftonline.com/organizations/", settings.Authority);
    }

    [Theory]
    [InlineData("https://login.example.test/", "tenant-1", "https://login.example.test/tenant-1/")]
    [InlineData("https://login.example.test/custom/v2.0", "tenant-1", "https://login.example.test/custom/v2.0")]
    public void A_custom_authority_host_gets_the_tenant_and_a_full_one_is_kept(string authority, string tenant, string expected)
    {
        var settings = OAuthSettings.For(new OrganizationProfile("lab") { Authority = new Uri(authority), TenantId = tenant });

        Assert.Equal(expected, settings.Authority);
        Assert.True(settings.IsCustomAuthority);
    }
}
