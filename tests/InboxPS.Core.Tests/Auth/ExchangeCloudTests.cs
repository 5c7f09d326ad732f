using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Auth;

public sealed class ExchangeCloudTests
{
    [Theory]
    [InlineData(ExchangeEnvironment.Global, "https://login.microsoftonline.com/contoso.onmicrosoft.com/", "https://outlook.office365.com/")]
    [InlineData(ExchangeEnvironment.USGovGCCHigh, "https://login.microsoftonline.us/contoso.onmicrosoft.com/", "https://outlook.office365.us/")]
    [InlineData(ExchangeEnvironment.USGovDoD, "https://login.microsoftonline.us/contoso.onmicrosoft.com/", "https://webmail.apps.mil/")]
    [InlineData(ExchangeEnvironment.China, "https://login.chinacloudapi.cn/contoso.onmicrosoft.com/", "https://partner.outlook.cn/")]
    public void Each_environment_has_its_authority_and_exchange_resource(ExchangeEnvironment environment, string authority, string resource)
    {
        var cloud = ExchangeCloud.For(environment);

        Assert.Equal(new Uri(authority), cloud.AuthorityFor("contoso.onmicrosoft.com"));
        Assert.Equal(new Uri(resource), cloud.EwsResource);
    }

    [Fact]
    public void Without_a_tenant_any_work_account_may_sign_in()
    {
        Assert.Equal(new Uri("https://login.microsoftonline.com/organizations/"), ExchangeCloud.For(ExchangeEnvironment.Global).AuthorityFor(null));
    }

    [Theory]
    [InlineData("https://outlook.office365.com/EWS/Exchange.asmx", true)]
    [InlineData("https://OUTLOOK.OFFICE.COM/EWS/Exchange.asmx", true)]
    [InlineData("https://webmail.apps.mil/EWS/Exchange.asmx", true)]
    [InlineData("https://mail.contoso.com/EWS/Exchange.asmx", false)]
    [InlineData("https://127.0.0.1:4443/EWS/Exchange.asmx", false)]
    public void Exchange_online_is_recognized_by_the_ews_host(string url, bool online)
    {
        Assert.Equal(online, ExchangeCloud.IsExchangeOnline(new Uri(url)));
    }
}
