using System.Net;
using System.Net.Http;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Organizations;

/// <summary>Issue 19: the organization's proxy as Set-InboxAccessType plans it, and as the HTTP stack applies it.</summary>
public sealed class ProxyPlanTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Uri s_proxy = new("http://proxy.contoso.com:8080/");

    [Fact]
    public void A_proxy_is_kept_until_it_is_set_back_to_the_system_one()
    {
        var created = Plan(null, r => r.Proxy = s_proxy);
        var kept = Plan(created.Profile, _ => { });
        var cleared = Plan(kept.Profile, r => r.UseSystemProxy = true);

        Assert.Equal(s_proxy, created.Profile.Proxy);
        Assert.Equal(s_proxy, kept.Profile.Proxy);
        Assert.False(kept.ChangesProxy);
        Assert.Null(cleared.Profile.Proxy);
        Assert.True(cleared.ChangesProxy);
        Assert.False(cleared.InvalidatesSignIn);
    }

    [Fact]
    public void Answering_as_the_windows_user_is_a_change_of_proxy_too()
    {
        var created = Plan(null, r => r.Proxy = s_proxy);

        var changed = Plan(created.Profile, r => r.ProxyUseDefaultCredentials = true);

        Assert.True(changed.Profile.ProxyUseDefaultCredentials);
        Assert.True(changed.ChangesProxy);
        Assert.True(Plan(changed.Profile, _ => { }).Profile.ProxyUseDefaultCredentials);
    }

    [Fact]
    public void A_proxy_address_holding_a_password_is_refused_without_showing_it()
    {
        var error = Assert.Throws<InboxException>(() => Plan(null, r => r.Proxy = new Uri("http://svc-proxy:S3cret~pw@proxy.contoso.com:8080/")));

        Assert.Equal("ProxyCredentialInUrl", error.ErrorId);
        Assert.DoesNotContain("S3cret~pw", error.ToString());
        Assert.DoesNotContain("S3cret~pw", error.RecommendedAction);
        Assert.Contains("-ProxyCredential", error.RecommendedAction);
    }

    [Theory]
    [InlineData("ftp://proxy.contoso.com/")]
    [InlineData("file:///tmp/proxy")]
    public void An_address_that_is_no_http_proxy_is_refused(string address)
    {
        var error = Assert.Throws<InboxException>(() => Plan(null, r => r.Proxy = new Uri(address)));

        Assert.Equal("InvalidProxy", error.ErrorId);
    }

    [Fact]
    public void The_organizations_proxy_is_used_for_local_names_and_skipped_for_the_managed_identity_endpoint()
    {
        var handler = new HttpClientHandler();

        new ProxySettings(s_proxy).ApplyTo(handler);

        var proxy = Assert.IsType<WebProxy>(handler.Proxy);
        Assert.True(handler.UseProxy);
        Assert.False(proxy.IsBypassed(new Uri("https://localhost:8443/")));
        Assert.False(proxy.IsBypassed(new Uri("https://127.0.0.1:8443/")));
        Assert.False(proxy.IsBypassed(new Uri("https://login.microsoftonline.com/")));
        Assert.True(proxy.IsBypassed(new Uri("http://169.254.169.254/metadata/identity/oauth2/token")));
        Assert.Null(proxy.Credentials);
    }

    [Fact]
    public void A_session_credential_wins_over_the_windows_user_and_the_system_proxy_gets_it_too()
    {
        var credential = new NetworkCredential("svc-proxy", "pw");
        var explicitProxy = new HttpClientHandler();
        var systemProxy = new HttpClientHandler();

        new ProxySettings(s_proxy, useDefaultCredentials: true, credential).ApplyTo(explicitProxy);
        new ProxySettings(null, useDefaultCredentials: false, credential).ApplyTo(systemProxy);

        Assert.Same(credential, explicitProxy.Proxy!.Credentials);
        Assert.Null(systemProxy.Proxy);
        Assert.Same(credential, systemProxy.DefaultProxyCredentials);
        Assert.DoesNotContain("pw", new ProxySettings(s_proxy, credential: credential).Describe());
    }

    private static AccessTypePlan Plan(OrganizationProfile? existing, Action<AccessTypeRequest> configure)
    {
        var request = new AccessTypeRequest("contoso", AccessType.GraphAppOnly);
        configure(request);
        return AccessTypePlanner.Plan(existing, request, s_now);
    }
}
