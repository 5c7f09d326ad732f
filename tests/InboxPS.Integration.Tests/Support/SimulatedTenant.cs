using InboxPS.Core.Auth;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Tests.Support;
using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Support;

/// <summary>
/// One running simulator shared by a test class, and per test a private store with an organization pointing at it.
/// Each store is used by one user of the module at a time (its own connection registry), as one runspace would.
/// </summary>
public sealed class SimulatedTenant : IAsyncLifetime
{
    private ExchangeSimulator? _simulator;

    public ExchangeSimulator Simulator => _simulator ?? throw new InvalidOperationException("The simulator has not started.");

    public SimulatorTrust Trust { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _simulator = await ExchangeSimulator.StartAsync(WireChecks.Checked(new SimulatorOptions { Users = 20, ItemsPerFolder = 2, BrokenMailboxes = true }));
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

    /// <summary>How InboxPS reaches this simulator: MSAL and EWS trusting only its CA, and a headless browser.</summary>
    public SignInTransport Transport(Func<DateTimeOffset>? clock = null) => new()
    {
        MsalHttpClientFactory = Trust,
        EwsHandler = Trust.CreateHandler(),
        WebUi = new HeadlessBrowser(Trust),
        Clock = clock ?? (() => DateTimeOffset.UtcNow),
    };

    /// <summary>A fresh store holding one organization of <paramref name="accessType"/> at the simulator.</summary>
    public TenantStore NewStore(AccessType accessType) => new(this, accessType);

    public sealed class TenantStore : IDisposable
    {
        private readonly TempDirectory _folder = new();
        private readonly SimulatedTenant _tenant;

        internal TenantStore(SimulatedTenant tenant, AccessType accessType)
        {
            _tenant = tenant;
            Registry = new ConnectionRegistry(tenant.Transport());
            Store = SqliteInboxStore.Open(_folder.Combine("inboxps.db"));
            Organization = "org-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            Store.SaveOrganization(new OrganizationProfile(Organization)
            {
                AccessType = accessType,
                EwsUrl = tenant.Simulator.EwsUrl,
                Authority = tenant.Simulator.Authority,
                TenantId = tenant.Simulator.TenantId,
                ClientId = accessType == AccessType.OAuthImpersonation ? tenant.Simulator.DelegatedClientId : tenant.Simulator.ClientId,
            });
        }

        public SqliteInboxStore Store { get; }

        public string Organization { get; }

        public string TokensFolder => _folder.Combine("tokens");

        /// <summary>The connections of the session using this store now.</summary>
        public ConnectionRegistry Registry { get; private set; }

        public OrganizationConnections Connections => new(Registry, Store);

        /// <summary>A later session (another runspace, a runbook job): nothing live, saved sign-ins on disk.</summary>
        public void NewSession(SignInTransport? transport = null)
        {
            Registry.Dispose();
            Registry = new ConnectionRegistry(transport ?? _tenant.Transport());
        }

        /// <summary>Connect-InboxImpersonation in a new session that signs in through <paramref name="transport"/>.</summary>
        public Task<InboxConnection> ConnectAsync(SignInRequest request, SignInTransport? transport = null)
        {
            NewSession(transport);
            return Connections.ConnectAsync(Organization, request, null, CancellationToken.None);
        }

        public void Dispose()
        {
            Registry.Dispose();
            Store.Dispose();
            _folder.Dispose();
        }
    }
}
