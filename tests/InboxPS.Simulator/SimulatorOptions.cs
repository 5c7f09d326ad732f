using System;

namespace InboxPS.Simulator;

/// <summary>
/// How a simulated tenant looks and behaves. Every field has a default that suits a fast xunit test; the standalone
/// process maps its command-line options onto these (see README.md). Most behaviour can also be changed while running
/// through <see cref="SimulatorControl"/>.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>Generated mailboxes: user0001@contoso.test ... (4 digits at least, more when Users needs them).</summary>
    public int Users { get; set; } = 200;

    /// <summary>Everything generated (names, items, ids, latency jitter, injected faults) follows from this seed.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Items in each Inbox; the other folders get fixed fractions of it (README.md lists them).</summary>
    public int ItemsPerFolder { get; set; } = 40;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Fixed delay added to every EWS request (inside the concurrency budget, like real server work).</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>Up to this much extra delay per EWS request, drawn deterministically from the seed.</summary>
    public TimeSpan LatencyJitter { get; set; } = TimeSpan.Zero;

    /// <summary>EWSMaxConcurrency: concurrent EWS requests per target mailbox (27 in Exchange Online).</summary>
    public int MaxConcurrencyPerMailbox { get; set; } = 27;

    /// <summary>ConcurrentSyncCalls: concurrent SyncFolderItems/SyncFolderHierarchy per target mailbox (5 in Exchange Online).</summary>
    public int MaxConcurrentSyncCallsPerMailbox { get; set; } = 5;

    /// <summary>Concurrent EWS requests the whole server accepts; beyond it the answer is HTTP 503.</summary>
    public int ServerCapacity { get; set; } = 256;

    /// <summary>BackOffMilliseconds sent with ErrorServerBusy (ConcurrentSyncCalls, throttled mailboxes, penalties).</summary>
    public TimeSpan BackOff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A request that arrives this soon after a back-off was issued is answered busy but not counted as a violation:
    /// it was most likely sent before the client could have read the busy answer.
    /// </summary>
    public TimeSpan BackOffGrace { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// EwsMaxBurst: the time (server time spent on its calls) a target mailbox may use at once before its budget runs
    /// dry; it recharges at <see cref="EwsRechargeRate"/> per hour up to this much again. 300,000 ms, as on-premises
    /// Exchange's GlobalThrottlingPolicy (README.md, Throttling, says where the numbers come from).
    /// </summary>
    public TimeSpan EwsMaxBurst { get; set; } = TimeSpan.FromMilliseconds(300_000);

    /// <summary>EwsRechargeRate: server time a mailbox's budget regains per hour (900,000 ms on-premises).</summary>
    public TimeSpan EwsRechargeRate { get; set; } = TimeSpan.FromMilliseconds(900_000);

    /// <summary>EwsCutoffBalance: the deepest debt a budget can run into (3,000,000 ms on-premises).</summary>
    public TimeSpan EwsCutoffBalance { get; set; } = TimeSpan.FromMilliseconds(3_000_000);

    /// <summary>The longest BackOffMilliseconds a budget in debt is told (Exchange Online's back-offs reach 5 minutes).</summary>
    public TimeSpan MaxBudgetBackOff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Service time of every EWS and Graph call (see ServiceTimeModel): base per call; zero by default.</summary>
    public TimeSpan CallCost { get; set; } = TimeSpan.Zero;

    /// <summary>Service time per item a call returns or fetches; zero by default.</summary>
    public TimeSpan ItemCost { get; set; } = TimeSpan.Zero;

    /// <summary>Service time per kilobyte of answer; zero by default.</summary>
    public TimeSpan KilobyteCost { get; set; } = TimeSpan.Zero;

    /// <summary>Lifetime of access tokens (and of the managed-identity token); can go down to one second.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The polling interval the device-code endpoint tells MSAL to use.</summary>
    public TimeSpan DeviceCodeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Adds the deliberately broken users described in README.md (outofscope@, nolicense@, moving@, throttled@, svc-unlicensed@).</summary>
    public bool BrokenMailboxes { get; set; }

    /// <summary>How many EWS calls to throttled@contoso.test are answered ErrorServerBusy before it recovers.</summary>
    public int ThrottledMailboxBusyCalls { get; set; } = 3;

    /// <summary>Fraction (0..1) of EWS requests that get an injected fault of one of <see cref="FaultKinds"/>.</summary>
    public double FaultRate { get; set; }

    /// <summary>Which faults <see cref="FaultRate"/> draws from.</summary>
    public FaultKinds FaultKinds { get; set; } = FaultKinds.All;

    /// <summary>How long a SlowBody fault stalls between the two halves of the response.</summary>
    public TimeSpan SlowBodyDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the service account may sign in to EWS with Basic authentication (Exchange Server style).</summary>
    public bool AllowBasicAuth { get; set; } = true;

    /// <summary>Where the certificate files go; a fresh temporary folder (deleted on dispose) when null.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// A folder with Microsoft's messages.xsd and types.xsd: every EWS request is then checked against them and the
    /// schema-invalid ones counted (SimulatorMetrics.SchemaInvalidRequests). Null: no check.
    /// </summary>
    public string? EwsSchemaFolder { get; set; }

    /// <summary>Log ASP.NET Core information messages to stderr (quiet by default).</summary>
    public bool Verbose { get; set; }

    /// <summary>Which national cloud's Graph tokens the /v1.0 endpoint accepts (the audience it checks).</summary>
    public GraphCloud GraphCloud { get; set; } = GraphCloud.Global;

    /// <summary>Outlook's concurrent requests per app per mailbox over Graph (4 in Exchange Online).</summary>
    public int GraphMaxConcurrencyPerMailbox { get; set; } = 4;

    /// <summary>Graph requests per app per mailbox in 10 minutes (10,000 in Exchange Online).</summary>
    public int GraphRequestsPerWindow { get; set; } = 10_000;

    /// <summary>Retry-After sent with a Graph 429 (decimal seconds on the wire: 2128 ms is "2.128").</summary>
    public TimeSpan GraphRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        Require(Users is >= 1 and <= 1_000_000, "Users must be between 1 and 1,000,000.");
        Require(ItemsPerFolder is >= 0 and <= 100_000, "ItemsPerFolder must be between 0 and 100,000.");
        Require(Port is >= 0 and <= 65535, "Port must be between 0 and 65535.");
        Require(MaxConcurrencyPerMailbox >= 1 && MaxConcurrentSyncCallsPerMailbox >= 1 && ServerCapacity >= 1, "Concurrency limits must be at least 1.");
        Require(FaultRate is >= 0 and <= 1, "FaultRate must be between 0 and 1.");
        Require(TokenLifetime >= TimeSpan.FromSeconds(1), "TokenLifetime must be at least one second.");
        Require(GraphMaxConcurrencyPerMailbox >= 1 && GraphRequestsPerWindow >= 1, "Graph limits must be at least 1.");
        Require(GraphRetryAfter >= TimeSpan.Zero, "GraphRetryAfter cannot be negative.");
        Require(EwsMaxBurst >= TimeSpan.Zero && EwsRechargeRate > TimeSpan.Zero && EwsCutoffBalance >= TimeSpan.Zero && MaxBudgetBackOff >= TimeSpan.Zero,
            "The EWS budget needs a positive recharge rate and no negative burst, cutoff or back-off.");
        Require(CallCost >= TimeSpan.Zero && ItemCost >= TimeSpan.Zero && KilobyteCost >= TimeSpan.Zero, "Service times cannot be negative.");
        Require(Latency >= TimeSpan.Zero && LatencyJitter >= TimeSpan.Zero && BackOff >= TimeSpan.Zero, "Delays cannot be negative.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>The faults the simulator can inject into EWS answers.</summary>
[Flags]
public enum FaultKinds
{
    /// <summary>No fault.</summary>
    None = 0,

    /// <summary>HTTP 500 with a SOAP fault ErrorInternalServerError.</summary>
    Http500 = 1,

    /// <summary>HTTP 503 with an empty body (IIS queue full).</summary>
    Http503 = 2,

    /// <summary>The connection is reset before any answer.</summary>
    ConnectionReset = 4,

    /// <summary>A correct answer whose second half arrives after <see cref="SimulatorOptions.SlowBodyDelay"/>.</summary>
    SlowBody = 8,

    /// <summary>Half of a correct answer, then the connection is cut (Content-Length promises more).</summary>
    TruncatedBody = 16,

    /// <summary>All of the above: the faults a healthy Exchange produces now and then.</summary>
    All = Http500 | Http503 | ConnectionReset | SlowBody | TruncatedBody,

    /// <summary>Hostile: a 200 answer whose DTD declares nested entities ("billion laughs").</summary>
    EntityExpansion = 32,

    /// <summary>Hostile: a 200 answer that declares a Content-Length of 16 GB and starts sending it.</summary>
    GiantBody = 64,

    /// <summary>Hostile: a 200 answer without a length that sends item after item until the client hangs up.</summary>
    EndlessBody = 128,

    /// <summary>A 200 answer whose response message is ErrorMailboxStoreUnavailable (the mailbox database is failing over).</summary>
    MailboxStoreUnavailable = 256,

    /// <summary>A 200 answer whose response message is ErrorTimeoutExpired (the server gave up on the operation).</summary>
    TimeoutExpired = 512,
}
