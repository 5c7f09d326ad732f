using Microsoft.Identity.Client.Extensibility;

namespace InboxPS.Integration.Tests.Support;

/// <summary>
/// Stands in for the system browser of an interactive sign-in: opens MSAL's authorization URL (the simulator signs the
/// login_hint user in at once) and hands MSAL the redirect it answers with, code and state included.
/// </summary>
public sealed class HeadlessBrowser : ICustomWebUi
{
    private readonly SimulatorTrust _trust;

    public HeadlessBrowser(SimulatorTrust trust) => _trust = trust;

    public int Visits { get; private set; }

    public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
    {
        Visits++;
        using var browser = _trust.CreateBrowserClient();
        using var response = await browser.GetAsync(authorizationUri, cancellationToken);
        var location = response.Headers.Location ?? throw new InvalidOperationException($"The authorize endpoint answered {(int)response.StatusCode} without a redirect.");
        Assert.StartsWith(redirectUri.GetLeftPart(UriPartial.Authority), location.ToString(), StringComparison.OrdinalIgnoreCase);
        return location;
    }
}
