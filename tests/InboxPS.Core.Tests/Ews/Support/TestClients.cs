using InboxPS.Core.Ews;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>Clients wired to an in-memory or loopback endpoint; retries record their waits instead of sleeping.</summary>
internal static class TestClients
{
    public static readonly Uri Endpoint = new("https://mail.contoso.com/EWS/Exchange.asmx");
    public static readonly MailboxIdentity Alice = new("alice@contoso.com");

    public static EwsClient Create(HttpMessageHandler handler, out List<TimeSpan> waits, Action<EwsClientOptions>? configure = null,
        IEwsAuthenticator? authenticator = null, Uri? endpoint = null)
    {
        var options = new EwsClientOptions(endpoint ?? Endpoint);
        configure?.Invoke(options);
        var client = new EwsClient(options, authenticator ?? new BearerTokenAuthenticator(new FakeTokenSource()), handler);
        var recorded = new List<TimeSpan>();
        client.Transport.Delay = (delay, cancellationToken) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (recorded)
            {
                recorded.Add(delay);
            }

            return Task.CompletedTask;
        };
        waits = recorded;
        return client;
    }

    public static EwsClient Create(HttpMessageHandler handler, Action<EwsClientOptions>? configure = null) =>
        Create(handler, out _, configure);
}
