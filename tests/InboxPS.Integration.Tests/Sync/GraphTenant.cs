using System.Net.Http.Headers;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Support;
using InboxPS.Simulator;
using Microsoft.Data.Sqlite;

namespace InboxPS.Integration.Tests.Sync;

/// <summary>
/// A simulator whose Graph side a GraphAppOnly organization reaches the way the cmdlets do: planned by
/// <see cref="AccessTypePlanner"/> with a -GraphUrl, connected by <see cref="ImpersonationConnector"/> through real MSAL,
/// synced by the real engine over the protocol <see cref="OrganizationConnections.ProtocolFor"/> picks, into real SQLite.
/// </summary>
public sealed class GraphTenant : IAsyncLifetime
{
    private ExchangeSimulator? _simulator;

    public ExchangeSimulator Simulator => _simulator ?? throw new InvalidOperationException("The simulator has not started.");

    public SimulatorTrust Trust { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _simulator = await ExchangeSimulator.StartAsync(WireChecks.Checked(new SimulatorOptions
        {
            Users = 12,
            ItemsPerFolder = 24,
            BrokenMailboxes = true,
            BackOff = TimeSpan.FromMilliseconds(300),
        }));
        Trust = new SimulatorTrust(_simulator.CaCertificate);
        _simulator.Control.SetGraphThrottling(retryAfter: TimeSpan.FromMilliseconds(250));
    }

    public async Task DisposeAsync()
    {
        if (_simulator is not null)
        {
            // Issue 17: every request of the class's runs was schema-valid and routed by its mailbox.
            try
            {
                WireChecks.AssertClean(_simulator);
            }
            finally
            {
                await _simulator.DisposeAsync();
            }
        }
    }

    public IReadOnlyList<string> Users => Simulator.Control.ListUsers().Where(u => u.Broken is null && u.HasMailbox)
        .Select(u => u.PrimarySmtpAddress).Take(Simulator.MailboxAddresses.Count).ToList();

    public SignInTransport Transport() => new()
    {
        MsalHttpClientFactory = Trust,
        EwsHandler = Trust.CreateHandler(),
        Clock = () => DateTimeOffset.UtcNow,
    };

    /// <summary>A fresh store with one organization on <paramref name="accessType"/> (GraphAppOnly at the simulator's Graph by default).</summary>
    public Org NewOrg(AccessType accessType = AccessType.GraphAppOnly) => new(this, accessType);

    /// <summary>A new organization, connected with the client secret and the first user as the test mailbox.</summary>
    public async Task<Org> ConnectAsync(AccessType accessType = AccessType.GraphAppOnly)
    {
        var org = NewOrg(accessType);
        await org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(Simulator.ClientSecret),
            ServiceAccount = Users[0],
        });
        return org;
    }

    public sealed class Org : IDisposable
    {
        private readonly GraphTenant _tenant;
        private readonly Core.Tests.Support.TempDirectory _folder = new();

        internal Org(GraphTenant tenant, AccessType accessType)
        {
            _tenant = tenant;
            Store = Core.Store.SqliteInboxStore.Open(_folder.Combine("inboxps.db"));
            Name = "graph-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Registry = new ConnectionRegistry(tenant.Transport());
            Store.SaveOrganization(new OrganizationProfile(Name)
            {
                TenantId = tenant.Simulator.TenantId,
                ClientId = tenant.Simulator.ClientId,
                Authority = tenant.Simulator.Authority,
            });
            SetAccessType(accessType);
        }

        public string Name { get; }

        public Core.Store.SqliteInboxStore Store { get; }

        public ConnectionRegistry Registry { get; }

        public OrganizationConnections Connections => new(Registry, Store);

        public InboxConnection Connection { get; private set; } = null!;

        public string ContentPath => _folder.Combine("content");

        public CapturingSink ConnectLog { get; } = new();

        /// <summary>Set-InboxAccessType's work (InboxSession): GraphAppOnly at the simulator's Graph, or an EWS type at its EWS.</summary>
        public AccessTypePlan SetAccessType(AccessType accessType)
        {
            var session = new InboxSession(Store, Registry);
            var graphUrl = accessType == AccessType.GraphAppOnly ? _tenant.Simulator.GraphUrl : null;
            var plan = session.PlanAccessType(Name, accessType, _tenant.Simulator.EwsUrl, null, DateTimeOffset.UtcNow, graphUrl);
            session.ApplyAccessType(plan);
            return plan;
        }

        public async Task<InboxConnection> ConnectAsync(SignInRequest request)
        {
            Connection = await Connections.ConnectAsync(Name, request, ConnectLog, CancellationToken.None);
            return Connection;
        }

        public Task<CapturingSink> SyncAsync(IEnumerable<string> mailboxes, SyncOptions? options = null) =>
            SyncAsync(mailboxes.Select(m => new MailboxInput { PrimarySmtpAddress = m }), options);

        /// <param name="around">Wraps the real protocol, for a test that acts on the server between two of its calls.</param>
        public Task<CapturingSink> SyncAsync(IEnumerable<MailboxInput> inputs, SyncOptions? options = null, CancellationToken cancellationToken = default,
            Func<IMailboxProtocol, IMailboxProtocol>? around = null)
        {
            var chosen = options ?? new SyncOptions { ThrottleLimit = 4 };
            return RunAsync((protocol, sink) => new MailboxSynchronizer(Name, Store, around?.Invoke(protocol) ?? protocol, chosen, sink),
                inputs, chosen, cancellationToken);
        }

        public Task<CapturingSink> PreflightAsync(IEnumerable<string> mailboxes) =>
            RunAsync((protocol, _) => new MailboxPreflight(Name, protocol),
                mailboxes.Select(m => new MailboxInput { PrimarySmtpAddress = m }), new SyncOptions(), CancellationToken.None);

        private async Task<CapturingSink> RunAsync(Func<IMailboxProtocol, IInboxSink, IMailboxJob> createJob,
            IEnumerable<MailboxInput> inputs, SyncOptions options, CancellationToken cancellationToken)
        {
            var protocol = Connections.ProtocolFor(Store.GetOrganization(Name)!, requireConnection: true);
            return await EngineRun.RunAsync(protocol, createJob, inputs, options, cancellationToken);
        }

        /// <summary>Item id => (internet message id, read flag, mime path) as stored, and the number of rows.</summary>
        public (Dictionary<string, (string? MessageId, bool? IsRead, string? MimePath)> Items, int Rows) Stored(string mailbox)
        {
            using var connection = OpenStore();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT item_id, internet_message_id, is_read, mime_path FROM items WHERE organization = $org AND mailbox = $mailbox";
            command.Parameters.AddWithValue("$org", Name);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            var items = new Dictionary<string, (string?, bool?, string?)>();
            var rows = 0;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows++;
                items[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2) != 0, reader.IsDBNull(3) ? null : reader.GetString(3));
            }

            return (items, rows);
        }

        /// <summary>
        /// Asserts the store holds exactly the ground truth of the mailbox's folders, under Graph's immutable ids
        /// (<paramref name="graphIds"/>) or EWS ids: no item missing, none twice, none extra, read flags equal.
        /// </summary>
        // The store's file, read (or changed) behind its back.
        private SqliteConnection OpenStore()
        {
            var connection = new SqliteConnection($"Data Source={Store.Location};Pooling=False");
            connection.Open();
            return connection;
        }

        /// <summary>Each stored item's subject and change key, by item id.</summary>
        public Dictionary<string, (string? Subject, string? ChangeKey)> StoredVersions(string mailbox)
        {
            using var connection = OpenStore();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT item_id, subject, change_key FROM items WHERE organization = $org AND mailbox = $mailbox";
            command.Parameters.AddWithValue("$org", Name);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            var versions = new Dictionary<string, (string?, string?)>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                versions[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }

            return versions;
        }

        /// <summary>Drops one stored row behind the store's back: an item the next round meets as if it was never stored.</summary>
        public void ForgetStoredItem(string mailbox, string itemId)
        {
            using var connection = OpenStore();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM items WHERE organization = $org AND mailbox = $mailbox AND item_id = $id";
            command.Parameters.AddWithValue("$org", Name);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            command.Parameters.AddWithValue("$id", itemId);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        public void AssertMatchesTruth(string mailbox, bool graphIds = true, params string[] folders)
        {
            if (folders.Length == 0)
            {
                folders = new[] { "inbox", "sentitems" };
            }

            var control = _tenant.Simulator.Control;
            var truth = folders.SelectMany(f => control.GetItems(mailbox, f))
                .ToDictionary(i => graphIds ? control.GraphItemId(i.ItemId, immutable: true) : i.ItemId, i => (i.InternetMessageId, i.IsRead));
            var (stored, rows) = Stored(mailbox);
            Assert.Equal(stored.Count, rows);
            Assert.Equal(truth.Keys.OrderBy(k => k, StringComparer.Ordinal), stored.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (id, expected) in truth)
            {
                Assert.Equal(expected.InternetMessageId, stored[id].MessageId);
                Assert.Equal(expected.IsRead, stored[id].IsRead);
            }
        }

        /// <summary>The server's MIME of one message, read straight from Graph's $value with the connection's token.</summary>
        public async Task<byte[]> ServerMimeAsync(string mailbox, string graphId)
        {
            var token = await Connection.Tokens!.GetTokenAsync(false, CancellationToken.None);
            using var http = new HttpClient(_tenant.Trust.CreateHandler());
            using var request = new HttpRequestMessage(HttpMethod.Get,
                new Uri(_tenant.Simulator.GraphUrl, $"users/{Uri.EscapeDataString(mailbox)}/messages/{Uri.EscapeDataString(graphId)}/$value"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsByteArrayAsync();
        }

        public void Dispose()
        {
            Registry.Dispose();
            Store.Dispose();
            _folder.Dispose();
        }
    }
}
