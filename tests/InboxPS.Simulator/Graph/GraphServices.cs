using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Identity;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Graph;

/// <summary>What the Graph endpoint shares with the rest of the simulator (the one tenant) and keeps of its own.</summary>
internal sealed class GraphServices
{
    public GraphServices(SimulatorOptions options, TenantStore store, SyncEngine sync, TokenService tokens, Throttling ewsThrottling, ServiceTimeModel serviceTime)
    {
        ServiceTime = serviceTime;
        Store = store;
        Sync = sync;
        Tokens = tokens;
        EwsThrottling = ewsThrottling;
        Ids = new GraphIds(store.Ids, options.Seed);
        Throttling = new GraphThrottling(options, ewsThrottling);
        Cloud = options.GraphCloud;
        Quirks = new GraphQuirks(options.Seed);
    }

    public TenantStore Store { get; }

    public SyncEngine Sync { get; }

    public TokenService Tokens { get; }

    /// <summary>One service-time model for both protocols (EWS uses the same object).</summary>
    public ServiceTimeModel ServiceTime { get; }

    /// <summary>Server capacity is one front end's, shared by both protocols.</summary>
    public Throttling EwsThrottling { get; }

    public GraphIds Ids { get; }

    public GraphThrottling Throttling { get; }

    public GraphQuirks Quirks { get; }

    public DeltaTokenCodec Codec { get; } = new();

    public GraphMetricsRecorder Metrics { get; } = new();

    /// <summary>Which mailboxes each app may reach over Graph (RBAC for Applications / application access policy stand-in).</summary>
    public ImpersonationRights MailboxScopes { get; } = new();

    public GraphCloud Cloud { get; set; }

    /// <summary>Delay of every mailbox call, spent inside the app's concurrency slot for the mailbox.</summary>
    public System.TimeSpan Latency { get; set; }

    /// <summary>The base of links the server writes: https://127.0.0.1:PORT/v1.0/.</summary>
    public System.Uri BaseUrl { get; set; } = new("https://127.0.0.1/v1.0/");
}
