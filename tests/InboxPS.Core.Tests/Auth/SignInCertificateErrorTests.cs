using System.Security.Authentication;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Auth;

/// <summary>Issue 17: an untrusted certificate on the identity endpoint names the certificate problem, as EWS does.</summary>
public sealed class SignInCertificateErrorTests
{
    private static readonly OrganizationProfile s_contoso = new("contoso")
    {
        TenantId = "contoso.onmicrosoft.com", ClientId = "app-1", Authority = new Uri("https://login.contoso.test/contoso.onmicrosoft.com/"),
    };

    private static Exception Untrusted() => new HttpRequestException("The SSL connection could not be established, see inner exception.",
        new AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"));

    [Fact]
    public void A_sign_in_refused_by_tls_names_the_certificate_and_the_host_not_the_network()
    {
        var error = SignInErrors.ForSignIn(Untrusted(), s_contoso, SignInMethod.ClientSecret, Array.Empty<string>());

        Assert.Equal("IdentityProviderCertificateUntrusted", error.ErrorId);
        Assert.Contains("login.contoso.test", error.Message);
        Assert.Contains("UntrustedRoot", error.Message);
        Assert.Contains("certificate", error.RecommendedAction);
        Assert.DoesNotContain("firewall", error.RecommendedAction);
    }

    [Fact]
    public void A_renewal_refused_by_tls_stops_the_run_once_with_the_certificate_problem()
    {
        var error = SignInErrors.ForRenewal(Untrusted(), "contoso", Array.Empty<string>());

        Assert.Equal(("IdentityProviderCertificateUntrusted", SyncFault.OrganizationSignIn), (error.ErrorId, error.Fault));
    }
}
