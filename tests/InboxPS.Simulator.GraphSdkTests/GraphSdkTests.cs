using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace InboxPS.Simulator.GraphSdkTests;

/// <summary>
/// The official Microsoft Graph .NET SDK (Microsoft.Graph 6.10.0) against the simulator, given nothing but its base URL,
/// its CA and a token: users with paging, mailFolders delta and messages delta to the end and back after changes,
/// $value, with counts equal to the ground truth. This is the check that the simulator is Graph as a real client expects.
/// </summary>
public sealed class GraphSdkTests : IAsyncLifetime
{
    private const string Mailbox = "user0003@contoso.test";
    private ExchangeSimulator _sim = null!;
    private GraphServiceClient _graph = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 23, ItemsPerFolder = 17, BrokenMailboxes = true });
        var baseUrl = _sim.GraphUrl.ToString().TrimEnd('/');
        var ca = X509CertificateLoader.LoadCertificateFromFile(_sim.CaCertificatePath);
        var token = await ClientCredentialsTokenAsync(ca);
        _http = GraphClientFactory.Create(GraphClientFactory.CreateDefaultHandlers(), finalHandler: TrustingOnly(ca));
        _graph = new GraphServiceClient(_http, new BaseBearerTokenAuthenticationProvider(new GivenToken(token)), baseUrl);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task ListsUsersWithPaging()
    {
        var page = await _graph.Users.GetAsync(rc =>
        {
            rc.QueryParameters.Top = 5;
            rc.QueryParameters.Select = new[] { "id", "mail", "userPrincipalName", "displayName" };
        });
        var users = new List<User>();
        var pages = 0;
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(_graph, page!, u =>
        {
            users.Add(u);
            return true;
        }, rq =>
        {
            pages++;
            return rq;
        });
        await iterator.IterateAsync();

        var truth = _sim.Control.ListUsers();
        Assert.Equal(truth.Select(u => u.PrimarySmtpAddress), users.Select(u => u.Mail));
        Assert.Equal(truth.Count, users.Select(u => u.Id).Distinct().Count());
        Assert.Equal((truth.Count + 4) / 5 - 1, pages);
    }

    [Fact]
    public async Task RunsMailFoldersDeltaToTheEndAndBackAfterChanges()
    {
        var (folders, deltaLink) = await FoldersRoundAsync(null);
        var truth = _sim.Control.GetFolders(Mailbox).Where(f => f.FolderClass == "IPF.Note" && f.DistinguishedName != "msgfolderroot").ToList();
        Assert.Equal(truth.Count, folders.Count);
        Assert.Equal(truth.Select(f => f.DisplayName).OrderBy(n => n), folders.Select(f => f.DisplayName).OrderBy(n => n));

        _sim.Control.CreateFolder(Mailbox, "Invoices", "inbox");
        var (changed, _) = await FoldersRoundAsync(deltaLink);

        Assert.Equal("Invoices", Assert.Single(changed).DisplayName);
    }

    [Fact]
    public async Task RunsMessagesDeltaToTheEndAndBackAfterInjectedChangesThenReadsValue()
    {
        var held = new Dictionary<string, Message>();
        var deltaLink = await MessagesRoundAsync(null, held);
        Assert.Equal(_sim.Control.GetItems(Mailbox).Select(i => _sim.Control.GraphItemId(i.ItemId)).OrderBy(x => x), held.Keys.OrderBy(x => x));

        var changes = _sim.Control.InjectChanges(Mailbox, "inbox", creates: 4, updates: 3, deletes: 2, readFlagChanges: 2);
        var removed = new List<string>();
        await MessagesRoundAsync(deltaLink, held, removed);

        var truth = _sim.Control.GetItems(Mailbox);
        Assert.Equal(changes.Deleted.Select(d => _sim.Control.GraphItemId(d)).OrderBy(x => x), removed.OrderBy(x => x));
        Assert.Equal(truth.Select(i => _sim.Control.GraphItemId(i.ItemId)).OrderBy(x => x), held.Keys.OrderBy(x => x));
        Assert.Equal(truth.Count(i => !i.IsRead), held.Values.Count(m => m.IsRead == false));
        Assert.All(truth, i => Assert.Equal(i.Subject, held[_sim.Control.GraphItemId(i.ItemId)].Subject));

        var newest = truth[0];
        await using var mime = await _graph.Users[Mailbox].Messages[_sim.Control.GraphItemId(newest.ItemId)].Content.GetAsync();
        using var reader = new StreamReader(mime!, Encoding.UTF8);
        Assert.Contains("Message-ID: " + newest.InternetMessageId, await reader.ReadToEndAsync());
    }

    /// <summary>One messages delta round, merged into <paramref name="held"/> the way a sync client merges.</summary>
    private async Task<string> MessagesRoundAsync(string? deltaLink, Dictionary<string, Message> held, List<string>? removed = null)
    {
        var delta = _graph.Users[Mailbox].MailFolders["inbox"].Messages.Delta;
        void Configure(RequestConfiguration<Microsoft.Graph.Users.Item.MailFolders.Item.Messages.Delta.DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters> rc)
        {
            rc.Headers.Add("Prefer", "odata.maxpagesize=4");
            if (deltaLink is null)
            {
                rc.QueryParameters.Select = new[] { "subject", "isRead", "receivedDateTime" };
            }
        }

        var page = deltaLink is null ? await delta.GetAsDeltaGetResponseAsync(Configure) : await delta.WithUrl(deltaLink).GetAsDeltaGetResponseAsync(Configure);
        while (true)
        {
            foreach (var message in page!.Value!)
            {
                if (message.AdditionalData.ContainsKey("@removed"))
                {
                    removed?.Add(message.Id!);
                    held.Remove(message.Id!);
                }
                else if (held.TryGetValue(message.Id!, out var known))
                {
                    // An update carries at least what changed: merge it over what is held.
                    known.Subject = message.Subject ?? known.Subject;
                    known.IsRead = message.IsRead ?? known.IsRead;
                }
                else
                {
                    held[message.Id!] = message;
                }
            }

            if (page.OdataDeltaLink is { } done)
            {
                return done;
            }

            page = await delta.WithUrl(page.OdataNextLink!).GetAsDeltaGetResponseAsync(Configure);
        }
    }

    private async Task<(List<MailFolder> Folders, string DeltaLink)> FoldersRoundAsync(string? deltaLink)
    {
        var delta = _graph.Users[Mailbox].MailFolders.Delta;
        var folders = new List<MailFolder>();
        var page = deltaLink is null
            ? await delta.GetAsDeltaGetResponseAsync(rc => rc.Headers.Add("Prefer", "odata.maxpagesize=3"))
            : await delta.WithUrl(deltaLink).GetAsDeltaGetResponseAsync(rc => rc.Headers.Add("Prefer", "odata.maxpagesize=3"));
        while (true)
        {
            folders.AddRange(page!.Value!);
            if (page.OdataDeltaLink is { } done)
            {
                return (folders, done);
            }

            page = await delta.WithUrl(page.OdataNextLink!).GetAsDeltaGetResponseAsync(rc => rc.Headers.Add("Prefer", "odata.maxpagesize=3"));
        }
    }

    /// <summary>Client credentials by hand (no MSAL here): the SDK is handed a token, as the issue asks.</summary>
    private async Task<string> ClientCredentialsTokenAsync(X509Certificate2 ca)
    {
        using var http = new HttpClient(TrustingOnly(ca));
        using var response = await http.PostAsync(new Uri(_sim.Authority + "/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = _sim.ClientId,
            ["client_secret"] = _sim.ClientSecret,
            ["scope"] = _sim.GraphScope,
            ["grant_type"] = "client_credentials",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static SocketsHttpHandler TrustingOnly(X509Certificate2 ca) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    };

    private sealed class GivenToken : IAccessTokenProvider
    {
        private readonly string _token;

        public GivenToken(string token) => _token = token;

        public AllowedHostsValidator AllowedHostsValidator { get; } = new(new[] { "127.0.0.1" });

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(_token);
    }
}
