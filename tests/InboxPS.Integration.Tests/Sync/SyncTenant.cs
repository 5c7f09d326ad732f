using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Ews;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Support;
using InboxPS.Simulator;
using Microsoft.Data.Sqlite;

namespace InboxPS.Integration.Tests.Sync;

/// <summary>
/// A simulator with enough items per folder that SyncFolderItems pages, short server back-offs so throttling tests
/// stay quick, and the deliberately broken users; plus helpers to run the real engine against it and read the store.
/// </summary>
public sealed class SyncTenant : IAsyncLifetime
{
    public const int PageSize = 7;
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
            ThrottledMailboxBusyCalls = 3,
        }));
        Trust = new SimulatorTrust(_simulator.CaCertificate);
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

    /// <summary>
    /// A private store with an organization connected through real MSAL: app-only with the client secret, or
    /// (<paramref name="delegated"/>) the service account's interactive sign-in through a headless browser.
    /// </summary>
    public async Task<Org> ConnectAsync(bool delegated = false)
    {
        var org = new Org(this, delegated ? AccessType.OAuthImpersonation : AccessType.OAuthAppOnly);
        var transport = new SignInTransport
        {
            MsalHttpClientFactory = Trust,
            EwsHandler = Trust.CreateHandler(),
            WebUi = new HeadlessBrowser(Trust),
            Clock = () => DateTimeOffset.UtcNow,
        };
        var request = delegated
            ? new SignInRequest(SignInMethod.Interactive) { ServiceAccount = Simulator.ServiceAccount }
            : new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(Simulator.ClientSecret), ServiceAccount = Users[0] };
        org.Connections = new ConnectionRegistry(transport);
        org.Connection = await new ImpersonationConnector(org.Store, org.Connections).ConnectAsync(org.Name, request, CancellationToken.None);
        return org;
    }

    public sealed class Org : IDisposable
    {
        private readonly SyncTenant _tenant;
        private readonly Core.Tests.Support.TempDirectory _folder = new();

        internal Org(SyncTenant tenant, AccessType accessType)
        {
            _tenant = tenant;
            Store = Core.Store.SqliteInboxStore.Open(_folder.Combine("inboxps.db"));
            Name = "sync-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Store.SaveOrganization(new OrganizationProfile(Name)
            {
                AccessType = accessType,
                EwsUrl = tenant.Simulator.EwsUrl,
                Authority = tenant.Simulator.Authority,
                TenantId = tenant.Simulator.TenantId,
                ClientId = accessType == AccessType.OAuthImpersonation ? tenant.Simulator.DelegatedClientId : tenant.Simulator.ClientId,
            });
        }

        public string Name { get; }

        public Core.Store.SqliteInboxStore Store { get; }

        public InboxConnection Connection { get; internal set; } = null!;

        /// <summary>The connections of the session that connected this organization.</summary>
        public ConnectionRegistry Connections { get; internal set; } = new();

        public string ContentPath => _folder.Combine("content");

        /// <summary>MaxChangesReturned of this organization's runs: small by default so folders span several pages.</summary>
        public int PageSize { get; set; } = SyncTenant.PageSize;

        /// <summary>Runs the real engine over real HTTPS against the simulator and returns what it reported.</summary>
        public Task<CapturingSink> SyncAsync(IEnumerable<MailboxInput> inputs, SyncOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var chosen = options ?? new SyncOptions { ThrottleLimit = 4 };
            return RunAsync((protocol, sink) => new MailboxSynchronizer(Name, Store, protocol, chosen, sink), inputs, chosen, cancellationToken);
        }

        /// <summary>
        /// As Start-InboxSync runs it: each mailbox claimed, its figures and the run's record kept (issue 18), the run
        /// finished with its totals.
        /// </summary>
        public async Task<CapturingSink> RecordedSyncAsync(IEnumerable<string> mailboxes, SyncOptions? options = null)
        {
            var chosen = options ?? new SyncOptions { ThrottleLimit = 4 };
            LeasedMailboxJob? leased = null;
            var run = await RunAsync((protocol, sink) => leased = new LeasedMailboxJob(new MailboxSynchronizer(Name, Store, protocol, chosen, sink),
                    Store, Name, sink, history: Store, context: SyncRunContext.ForThisProcess("-Test")),
                mailboxes.Select(m => new MailboxInput { PrimarySmtpAddress = m }), chosen, CancellationToken.None);
            leased!.Finish();
            return run;
        }

        /// <summary>Test-InboxImpersonation's job over real HTTPS: who can be impersonated, and why not.</summary>
        public Task<CapturingSink> PreflightAsync(IEnumerable<string> mailboxes) =>
            RunAsync((protocol, _) => new MailboxPreflight(Name, protocol),
                mailboxes.Select(m => new MailboxInput { PrimarySmtpAddress = m }), new SyncOptions(), CancellationToken.None);

        private async Task<CapturingSink> RunAsync(Func<IMailboxProtocol, IInboxSink, IMailboxJob> createJob,
            IEnumerable<MailboxInput> inputs, SyncOptions options, CancellationToken cancellationToken)
        {
            var client = new EwsClient(
                new EwsClientOptions(Connection.EwsUrl)
                {
                    Retry = new EwsRetryPolicy { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(1), MaxTotalDelay = TimeSpan.FromSeconds(20) },
                },
                EwsAuthentication.For(Connection),
                _tenant.Trust.CreateHandler());
            return await EngineRun.RunAsync(new EwsMailboxProtocol(client, PageSize), createJob, inputs, options, cancellationToken);
        }

        public Task<CapturingSink> SyncAsync(IEnumerable<string> mailboxes, SyncOptions? options = null) =>
            SyncAsync(mailboxes.Select(m => new MailboxInput { PrimarySmtpAddress = m }), options);

        /// <summary>What the store holds for a mailbox: item id => (change key, read flag, folder), and how many rows.</summary>
        public (Dictionary<string, (string? ChangeKey, bool? IsRead, string FolderId)> Items, int Rows) Stored(string mailbox)
        {
            using var connection = new SqliteConnection($"Data Source={Store.Location};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT item_id, change_key, is_read, folder_id FROM items WHERE organization = $org AND mailbox = $mailbox";
            command.Parameters.AddWithValue("$org", Name);
            command.Parameters.AddWithValue("$mailbox", mailbox);
            var items = new Dictionary<string, (string?, bool?, string)>();
            var rows = 0;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows++;
                items[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2) != 0, reader.GetString(3));
            }

            return (items, rows);
        }

        /// <summary>
        /// Asserts the store holds exactly the simulator's ground truth for the mailbox's synced folders, each item in its
        /// folder.
        /// </summary>
        public void AssertMatchesTruth(string mailbox, params string[] folders)
        {
            if (folders.Length == 0)
            {
                folders = new[] { "inbox", "sentitems" };
            }

            var truth = folders.SelectMany(f => _tenant.Simulator.Control.GetItems(mailbox, f))
                .ToDictionary(i => i.ItemId, i => ((string?)i.ChangeKey, (bool?)i.IsRead, i.FolderId));
            var (stored, rows) = Stored(mailbox);
            Assert.Equal(stored.Count, rows);
            Assert.Equal(truth.Keys.OrderBy(k => k, StringComparer.Ordinal), stored.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (id, expected) in truth)
            {
                Assert.Equal(expected, stored[id]);
            }

            // Issue 17: every request so far was schema-valid and routed by the mailbox it impersonates.
            WireChecks.AssertClean(_tenant.Simulator);
        }

        public void Dispose()
        {
            Connections.Dispose();
            Store.Dispose();
            _folder.Dispose();
        }
    }
}

/// <summary>Collects what the engine reports, as the cmdlet layer would write it.</summary>
public sealed class CapturingSink : IInboxSink
{
    private readonly List<object> _results = new();
    private readonly List<string> _log = new();

    public IReadOnlyList<MailboxSyncResult> Results
    {
        get
        {
            lock (_results)
            {
                return _results.OfType<MailboxSyncResult>().ToList();
            }
        }
    }

    public IReadOnlyList<ImpersonationTestResult> Tests
    {
        get
        {
            lock (_results)
            {
                return _results.OfType<ImpersonationTestResult>().ToList();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_log)
            {
                return _log.ToList();
            }
        }
    }

    public int ProgressReports;

    public void Progress(InboxProgress progress) => Interlocked.Increment(ref ProgressReports);

    public void Log(InboxLogLevel level, string message)
    {
        lock (_log)
        {
            _log.Add($"{level}: {message}");
        }
    }

    public void Result(object result)
    {
        lock (_results)
        {
            _results.Add(result);
        }
    }

    public MailboxSyncResult For(string mailbox) => Results.Single(r => string.Equals(r.Mailbox, mailbox, StringComparison.OrdinalIgnoreCase));
}
