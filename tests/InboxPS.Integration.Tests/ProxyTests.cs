using System.Net;
using System.Text;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Support;
using InboxPS.Tests.Support;

namespace InboxPS.Integration.Tests;

/// <summary>
/// Issue 19, proxies: an organization set to go through a proxy sends its sign-in (real MSAL), its EWS calls and its Graph
/// calls through a real HTTP CONNECT proxy started by the test (<see cref="TunnelProxy"/>), over the product's own HTTP
/// stack: the transport hands in only the trust of the simulator's CA, never a handler or an MSAL client.
///
/// The simulator listens on 127.0.0.1 only. An explicitly set proxy is not bypassed for local names (the admin asked for
/// it), so the simulator is reached through the proxy at its real address, and the proxy connects on to it. To tell the
/// sign-in apart from the mailbox calls in the proxy's log, the identity endpoint is addressed as localhost (a name in
/// the simulator certificate's SANs) and EWS and Graph as 127.0.0.1: the log then names each kind of request's target.
/// </summary>
public sealed class ProxyTests : IClassFixture<SimulatedTenant>
{
    private const string ProxyUser = "proxy-user";
    private const string ProxyPassword = "Pr0xy~pass-that-must-not-leak";

    private readonly SimulatedTenant _tenant;

    public ProxyTests(SimulatedTenant tenant) => _tenant = tenant;

    private string Port => _tenant.Simulator.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string SignInTarget => "localhost:" + Port;

    private string MailboxTarget => "127.0.0.1:" + Port;

    [Fact]
    public async Task The_sign_in_and_the_EWS_calls_of_an_organization_go_through_its_proxy()
    {
        using var proxy = new TunnelProxy();
        using var org = new ProxiedOrg(_tenant, AccessType.OAuthAppOnly, proxy.Address);

        var connection = await org.ConnectAsync(proxyCredential: null);
        var signInTunnels = proxy.Tunnels;
        var inbox = await org.ReadInboxAsync(OtherUser());

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Equal(ConnectionStatus.Connected, connection.Status);
        Assert.Contains(SignInTarget, signInTunnels);
        Assert.Contains(MailboxTarget, signInTunnels); // the connect's own check of the test mailbox, over EWS
        Assert.All(proxy.Tunnels, target => Assert.Contains(target, new[] { SignInTarget, MailboxTarget }));
    }

    [Fact]
    public async Task The_sign_in_and_the_Graph_calls_of_an_organization_go_through_its_proxy()
    {
        using var proxy = new TunnelProxy();
        using var org = new ProxiedOrg(_tenant, AccessType.GraphAppOnly, proxy.Address);

        await org.ConnectAsync(proxyCredential: null);
        var inbox = await org.ReadInboxAsync(OtherUser());

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Contains(SignInTarget, proxy.Tunnels);
        Assert.Contains(MailboxTarget, proxy.Tunnels);
        Assert.All(proxy.Tunnels, target => Assert.Contains(target, new[] { SignInTarget, MailboxTarget }));
    }

    [Fact]
    public async Task An_authenticating_proxy_takes_the_session_credential_which_is_never_stored()
    {
        using var proxy = new TunnelProxy(ProxyUser, ProxyPassword);
        using var org = new ProxiedOrg(_tenant, AccessType.OAuthAppOnly, proxy.Address);

        await org.ConnectAsync(new NetworkCredential(ProxyUser, ProxyPassword));
        var inbox = await org.ReadInboxAsync(OtherUser());

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Contains(SignInTarget, proxy.Tunnels);
        Assert.Contains(MailboxTarget, proxy.Tunnels);
        var saved = org.Store.GetOrganization(org.Name)!;
        Assert.Equal(proxy.Address, saved.Proxy);
        org.Store.Dispose();
        Assert.Empty(org.FilesHolding(ProxyPassword));
        Assert.Empty(org.FilesHolding(ProxyUser));
    }

    [Fact]
    public async Task An_authenticating_proxy_without_a_credential_is_a_clear_error_that_names_it()
    {
        using var proxy = new TunnelProxy(ProxyUser, ProxyPassword);
        using var org = new ProxiedOrg(_tenant, AccessType.OAuthAppOnly, proxy.Address);

        var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(proxyCredential: null));

        Assert.Equal("ProxyAuthenticationRequired", error.ErrorId);
        Assert.Contains(proxy.Address.GetLeftPart(UriPartial.Authority), error.Message);
        Assert.Contains("407", error.Message);
        Assert.Contains("asks for credentials", error.Message);
        Assert.Contains("-ProxyCredential", error.RecommendedAction);
        Assert.Equal(SyncFault.OrganizationSignIn, error.Fault);
        Assert.Contains(SignInTarget, proxy.Refused);
        Assert.Empty(proxy.Tunnels);
        Assert.Null(org.Registry.FindLive(org.Name));
    }

    [Fact]
    public async Task A_wrong_proxy_password_is_refused_without_showing_it()
    {
        using var proxy = new TunnelProxy(ProxyUser, ProxyPassword);
        using var org = new ProxiedOrg(_tenant, AccessType.GraphAppOnly, proxy.Address);
        const string wrong = "Wr0ng~proxy-password-never-shown";

        var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new NetworkCredential(ProxyUser, wrong)));

        Assert.Equal("ProxyAuthenticationRequired", error.ErrorId);
        Assert.Contains("refused the credential", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(ProxyPassword, error.ToString());
        Assert.Contains("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProxyUser + ":" + wrong)), proxy.Authorizations);
    }

    private string OtherUser() => _tenant.Simulator.Control.ListUsers(1, 1)[0].PrimarySmtpAddress;

    /// <summary>
    /// A store with one organization planned the way Set-InboxAccessType plans it (with -Proxy), and a registry whose
    /// transport trusts the simulator's CA and nothing more: handlers and MSAL's client are the product's.
    /// </summary>
    private sealed class ProxiedOrg : IDisposable
    {
        private readonly SimulatedTenant _tenant;
        private readonly Core.Tests.Support.TempDirectory _folder = new();

        public ProxiedOrg(SimulatedTenant tenant, AccessType accessType, Uri proxy)
        {
            _tenant = tenant;
            Store = SqliteInboxStore.Open(_folder.Combine("inboxps.db"));
            Name = "proxied-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Registry = NewRegistry();
            var simulator = tenant.Simulator;
            var session = new InboxSession(Store, Registry);
            var graphUrl = accessType == AccessType.GraphAppOnly ? simulator.GraphUrl : null;
            var plan = session.PlanAccessType(Name, accessType, simulator.EwsUrl, null, DateTimeOffset.UtcNow, graphUrl, r => r.Proxy = proxy);
            session.ApplyAccessType(plan);
            var profile = Store.GetOrganization(Name)!;
            profile.TenantId = simulator.TenantId;
            profile.ClientId = simulator.ClientId;
            profile.Authority = new UriBuilder(simulator.Authority) { Host = "localhost" }.Uri;
            Store.SaveOrganization(profile);
        }

        public string Name { get; }

        public SqliteInboxStore Store { get; }

        public ConnectionRegistry Registry { get; }

        public Task<InboxConnection> ConnectAsync(NetworkCredential? proxyCredential) =>
            new OrganizationConnections(Registry, Store).ConnectAsync(Name, new SignInRequest(SignInMethod.ClientSecret)
            {
                ClientSecret = EwsProbe.Secure(_tenant.Simulator.ClientSecret),
                ServiceAccount = EwsProbe.FirstUser(_tenant),
                ProxyCredential = proxyCredential,
            }, null, CancellationToken.None);

        /// <summary>Reads a mailbox's inbox and folder tree over the protocol the sync engine gets for the organization.</summary>
        public async Task<MailFolder> ReadInboxAsync(string mailbox)
        {
            var protocol = new OrganizationConnections(Registry, Store).ProtocolFor(Store.GetOrganization(Name)!, requireConnection: true);
            var session = protocol.Open(new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
            var inbox = await session.GetWellKnownFolderAsync("inbox", CancellationToken.None);
            await session.SyncFoldersAsync(null, CancellationToken.None);
            return inbox;
        }

        /// <summary>Every file of the store's folder (database, tokens) whose bytes hold <paramref name="text"/> (UTF-8 or UTF-16).</summary>
        public IReadOnlyList<string> FilesHolding(string text) => Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories)
            .Where(file =>
            {
                var bytes = File.ReadAllBytes(file);
                return Contains(bytes, Encoding.UTF8.GetBytes(text)) || Contains(bytes, Encoding.Unicode.GetBytes(text));
            })
            .ToList();

        public void Dispose()
        {
            Registry.Dispose();
            Store.Dispose();
            _folder.Dispose();
        }

        private ConnectionRegistry NewRegistry() => new(new SignInTransport { ServerCertificateCheck = _tenant.Trust.CertificateCheck });

        private static bool Contains(byte[] haystack, byte[] needle) =>
            Enumerable.Range(0, Math.Max(0, haystack.Length - needle.Length + 1)).Any(i => haystack.AsSpan(i, needle.Length).SequenceEqual(needle));
    }
}
