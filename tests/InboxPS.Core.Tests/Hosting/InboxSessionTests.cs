using System.Security;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Hosting;

/// <summary>The composition: what the cmdlets ask of a session, and that two hosts are two separate users.</summary>
public sealed class InboxSessionTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Uri s_onPremises = new("https://mail.contoso.com/EWS/Exchange.asmx");
    private readonly TempDirectory _temp = new();
    private readonly InboxHost _host = new();

    public void Dispose()
    {
        _host.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_new_organization_is_saved_and_nothing_is_signed_out()
    {
        using var session = Open();

        var plan = session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now);

        Assert.True(plan.IsNew);
        Assert.False(session.ApplyAccessType(plan));
        Assert.Equal(AccessType.BasicImpersonation, session.Store.GetOrganization("contoso")!.AccessType);
    }

    [Fact]
    public void A_changed_access_type_ends_the_live_and_the_saved_sign_in()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        var connection = ConnectBasic(session, "contoso");
        var savedSignIn = SaveTokenCache(session, "contoso");

        var plan = session.PlanAccessType(null, AccessType.OAuthAppOnly, null, null, s_now);

        Assert.True(plan.InvalidatesSignIn);
        Assert.True(session.ApplyAccessType(plan));
        Assert.Null(session.Connections.Registry.FindLive("contoso"));
        Assert.False(File.Exists(savedSignIn));
        Assert.Throws<ObjectDisposedException>(() => connection.Password!.Password.Length);
        Assert.Equal(AccessType.OAuthAppOnly, session.Store.GetOrganization("contoso")!.AccessType);
    }

    [Fact]
    public void The_same_access_type_keeps_the_sign_in()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        ConnectBasic(session, "contoso");

        Assert.False(session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, null, null, s_now)));
        Assert.True(session.Connections.IsConnected("contoso"));
    }

    [Fact]
    public void A_changed_proxy_ends_the_live_connection_but_keeps_the_saved_sign_in()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        ConnectBasic(session, "contoso");
        var savedSignIn = SaveTokenCache(session, "contoso");
        var proxy = new Uri("http://proxy.contoso.com:8080/");

        var plan = session.PlanAccessType("contoso", AccessType.BasicImpersonation, null, null, s_now, configure: r => r.Proxy = proxy);

        Assert.False(plan.InvalidatesSignIn);
        Assert.True(plan.ChangesProxy);
        Assert.True(session.ApplyAccessType(plan));
        Assert.Null(session.Connections.Registry.FindLive("contoso"));
        Assert.True(File.Exists(savedSignIn));
        Assert.Equal(proxy, session.Store.GetOrganization("contoso")!.Proxy);
    }

    [Fact]
    public void Without_a_name_the_access_type_needs_exactly_one_organization()
    {
        using var session = Open();

        Assert.Equal("NoOrganization", Assert.Throws<InboxException>(() => session.PlanAccessType(null, AccessType.OAuthAppOnly, null, null, s_now)).ErrorId);
    }

    [Fact]
    public void Removing_an_organization_ends_its_sign_in_and_forgets_it()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        ConnectBasic(session, "contoso");
        var savedSignIn = SaveTokenCache(session, "contoso");

        session.RemoveOrganization(session.ResolveOrganization("contoso"));

        Assert.False(session.Connections.IsConnected("contoso"));
        Assert.False(File.Exists(savedSignIn));
        Assert.Empty(session.Store.GetOrganizations());
    }

    [Fact]
    public void The_protocol_of_an_unconnected_organization_fails_only_when_a_mailbox_is_opened_unless_required()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        var organization = session.ResolveOrganization(null);

        var required = Assert.Throws<InboxException>(() => session.Connections.ProtocolFor(organization, requireConnection: true));
        var lazy = session.Connections.ProtocolFor(organization, requireConnection: false);
        var opened = Assert.Throws<InboxException>(() => lazy.Open(new MailboxTarget("a@contoso.com", MailboxAddressKind.SmtpAddress)));

        Assert.Equal(("NotConnected", InboxErrorKind.AuthenticationError), (required.ErrorId, required.Kind));
        Assert.Equal("NotConnected", opened.ErrorId);
    }

    [Fact]
    public async Task A_connected_organization_gets_a_protocol_signed_by_its_connection()
    {
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        var connection = ConnectBasic(session, "contoso");
        using var request = new HttpRequestMessage();

        Assert.NotNull(session.Connections.ProtocolFor(session.ResolveOrganization(null), requireConnection: true));
        await EwsAuthentication.For(connection).ApplyAsync(request, afterUnauthorized: false, CancellationToken.None);
        Assert.Equal("Basic", request.Headers.Authorization!.Scheme);
        Assert.Equal("svc:P@ss", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.Parameter!)));
    }

    [Fact]
    public void Two_hosts_over_one_store_share_no_connection()
    {
        using var other = new InboxHost();
        using var session = Open();
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        ConnectBasic(session, "contoso");
        using var otherSession = other.OpenSession(_temp.Combine("inboxps.db"));

        Assert.True(session.Connections.IsConnected("contoso"));
        Assert.False(otherSession.Connections.IsConnected("contoso"));
        Assert.Null(otherSession.Connections.Find("contoso"));
        Assert.Same(session.Connections.Registry.FindLive("contoso"), _host.Connections.FindLive("contoso"));
    }

    [Fact]
    public void Disposing_a_host_signs_its_connections_out_of_memory()
    {
        var host = new InboxHost();
        using var session = host.OpenSession(_temp.Combine("inboxps.db"));
        session.ApplyAccessType(session.PlanAccessType("contoso", AccessType.BasicImpersonation, s_onPremises, null, s_now));
        var connection = ConnectBasic(session, "contoso");

        host.Dispose();

        Assert.Empty(host.Connections.Live);
        Assert.Throws<ObjectDisposedException>(() => connection.Password!.Password.Length);
    }

    [Fact]
    public void Saved_sign_ins_live_beside_the_store()
    {
        using var session = Open();

        Assert.Equal(_temp.Combine("tokens"), session.Connections.TokenFolder);
    }

    private InboxSession Open() => _host.OpenSession(_temp.Combine("inboxps.db"));

    private static InboxConnection ConnectBasic(InboxSession session, string organization)
    {
        using var password = new SecureString();
        foreach (var c in "P@ss")
        {
            password.AppendChar(c);
        }

        var profile = session.ResolveOrganization(organization);
        return session.Connections.Registry.Add(InboxConnection.ForBasic(profile, new PasswordCredential("svc", password),
            new HttpStack(ProxySettings.System)));
    }

    private static string SaveTokenCache(InboxSession session, string organization)
    {
        var path = new TokenCacheFile(session.Connections.TokenFolder, organization).Path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "saved sign-in");
        return path;
    }
}
