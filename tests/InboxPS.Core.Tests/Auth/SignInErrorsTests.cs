using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Tests.Auth;

public sealed class SignInErrorsTests
{
    private static readonly OrganizationProfile s_contoso = new("contoso") { TenantId = "contoso.onmicrosoft.com", ClientId = "app-1" };

    [Theory]
    [InlineData("invalid_client", "AADSTS7000215: Invalid client secret provided.", SignInMethod.ClientSecret, "ClientCredentialRejected")]
    [InlineData("invalid_client", "AADSTS700027: Client assertion contains an invalid signature.", SignInMethod.Certificate, "ClientCredentialRejected")]
    [InlineData("invalid_request", "AADSTS90002: Tenant 'nope' not found.", SignInMethod.ClientSecret, "TenantNotFound")]
    [InlineData("unauthorized_client", "AADSTS700016: Application with identifier 'app-1' was not found.", SignInMethod.Certificate, "ApplicationNotFound")]
    [InlineData("invalid_grant", "AADSTS65001: The user or administrator has not consented.", SignInMethod.DeviceCode, "ConsentRequired")]
    [InlineData("invalid_client", "AADSTS7000218: The request body must contain client_assertion or client_secret.", SignInMethod.DeviceCode, "PublicClientFlowsDisabled")]
    [InlineData("expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid.", SignInMethod.DeviceCode, "DeviceCodeExpired")]
    [InlineData("invalid_request", "something unexpected", SignInMethod.ClientSecret, "SignInFailed")]
    public void Identity_provider_answers_become_errors_an_admin_can_act_on(string code, string message, SignInMethod method, string errorId)
    {
        var error = SignInErrors.ForSignIn(new MsalServiceException(code, message, 400), s_contoso, method, Array.Empty<string>());

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal("contoso", error.Target);
        Assert.False(string.IsNullOrWhiteSpace(error.RecommendedAction));
    }

    [Fact]
    public void Consent_advice_names_the_permission_of_the_sign_in_type()
    {
        var delegated = SignInErrors.ForSignIn(new MsalServiceException("invalid_grant", "AADSTS65001: no consent"), s_contoso, SignInMethod.DeviceCode, Array.Empty<string>());
        var appOnly = SignInErrors.ForSignIn(new MsalServiceException("invalid_grant", "AADSTS65001: no consent"), s_contoso, SignInMethod.Certificate, Array.Empty<string>());

        Assert.Contains("EWS.AccessAsUser.All", delegated.RecommendedAction);
        Assert.Contains("full_access_as_app", appOnly.RecommendedAction);
    }

    [Fact]
    public void A_secret_echoed_by_the_identity_provider_is_removed_from_the_message()
    {
        var echoed = new MsalServiceException("invalid_client", "AADSTS7000215: Invalid client secret 'S3cr3t~value' provided.\r\nTrace ID: 1");

        var error = SignInErrors.ForSignIn(echoed, s_contoso, SignInMethod.ClientSecret, new[] { "S3cr3t~value" });

        Assert.DoesNotContain("S3cr3t~value", error.Message);
        Assert.DoesNotContain("Trace ID", error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void A_revoked_refresh_token_during_renewal_asks_to_reconnect_the_service_account()
    {
        var revoked = new MsalUiRequiredException("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked.");

        var error = SignInErrors.ForRenewal(revoked, "contoso", Array.Empty<string>());

        Assert.Equal("ReconnectServiceAccount", error.ErrorId);
        Assert.Equal(InboxErrorKind.AuthenticationError, error.Kind);
        Assert.Contains("password changed", error.Message);
        Assert.StartsWith("Run Connect-InboxImpersonation -Organization contoso again", error.RecommendedAction);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public void An_outage_during_renewal_is_not_a_reason_to_reconnect(int status)
    {
        var error = SignInErrors.ForRenewal(new MsalServiceException("service_unavailable", "busy", status), "contoso", Array.Empty<string>());

        Assert.Equal("IdentityProviderUnavailable", error.ErrorId);
    }
}
