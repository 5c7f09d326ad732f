using System.Net;
using System.Net.Http;

namespace InboxPS.Core.Tests;

/// <summary>
/// How a proxy's refusal reaches the admin: the CONNECT failure .NET raises and the 407 answer of a forwarding proxy
/// both become ProxyAuthenticationRequired naming the proxy; anything else passes through untouched. (The real proxy
/// is in the integration tests; this covers the two shapes over an in-process handler.)
/// </summary>
public sealed class ProxyRefusalHandlerTests
{
    private static readonly Uri s_target = new("https://outlook.office365.com/EWS/Exchange.asmx");

    [Fact]
    public async Task A_tunnel_refused_with_407_names_the_system_proxy_from_the_message()
    {
        var refusal = new HttpRequestException("The proxy tunnel request to proxy 'http://proxy.contoso.com:3128/' failed with status code '407'.");

        var error = await Assert.ThrowsAsync<InboxException>(() => SendAsync(ProxySettings.System, _ => throw refusal));

        Assert.Equal("ProxyAuthenticationRequired", error.ErrorId);
        Assert.Contains("The system's proxy http://proxy.contoso.com:3128 asks for credentials (407", error.Message);
        Assert.Contains("outlook.office365.com", error.Message);
        Assert.Equal(SyncFault.OrganizationSignIn, error.Fault);
    }

    [Fact]
    public async Task A_forwarding_proxys_407_answer_names_the_organizations_proxy()
    {
        var proxy = new ProxySettings(new Uri("http://proxy.contoso.com:8080/"), credential: new NetworkCredential("svc", "pw"));

        var error = await Assert.ThrowsAsync<InboxException>(() => SendAsync(proxy, _ => new HttpResponseMessage(HttpStatusCode.ProxyAuthenticationRequired)));

        Assert.Contains("The proxy http://proxy.contoso.com:8080 refused the credential given for it (407", error.Message);
        Assert.Equal("http://proxy.contoso.com:8080", error.Target);
    }

    [Fact]
    public async Task Other_failures_and_answers_pass_through()
    {
        var unreachable = new HttpRequestException("Connection refused (outlook.office365.com:443)");

        Assert.Same(unreachable, await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(ProxySettings.System, _ => throw unreachable)));
        using var answer = await SendAsync(ProxySettings.System, _ => new HttpResponseMessage(HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(ProxySettings proxy, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        using var client = new HttpClient(new ProxyRefusalHandler(proxy, new Answering(answer)));
        return await client.GetAsync(s_target);
    }

    private sealed class Answering : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;

        public Answering(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(_answer(request));
    }
}
