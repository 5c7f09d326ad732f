using System.Net.Http;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

/// <summary>Hands MSAL the HTTP client of a connection's <see cref="HttpStack"/>, so sign-ins take the organization's proxy.</summary>
internal sealed class SignInHttpClients : IMsalHttpClientFactory
{
    private readonly HttpClient _client;

    public SignInHttpClients(HttpClient client)
    {
        _client = client;
    }

    public HttpClient GetHttpClient() => _client;
}
