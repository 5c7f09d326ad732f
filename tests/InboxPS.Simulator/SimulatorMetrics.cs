using System;
using System.Collections.Generic;

namespace InboxPS.Simulator;

/// <summary>
/// A snapshot of what the server saw since start (or the last <see cref="SimulatorControl.ResetMetrics"/>). Benchmarks
/// compare <see cref="ServerBusyTime"/> with <see cref="Elapsed"/> × <see cref="ServerCapacity"/> to see how close a client
/// came to the server's limit; tests assert that a client obeyed the server (no back-off violations, peaks within budget).
/// </summary>
public sealed class SimulatorMetrics
{
    /// <summary>Time since start or the last reset.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Every POST to the EWS endpoint, whatever the answer.</summary>
    public long EwsRequests { get; init; }

    /// <summary>EWS requests by SOAP operation (GetFolder, SyncFolderItems, ...); "Unknown" for unparseable bodies.</summary>
    public IReadOnlyDictionary<string, long> RequestsByOperation { get; init; } = new Dictionary<string, long>();

    /// <summary>Token endpoint calls by grant type, plus "device_code_request" and "managed_identity".</summary>
    public IReadOnlyDictionary<string, long> TokenRequestsByGrant { get; init; } = new Dictionary<string, long>();

    /// <summary>Most EWS requests in flight at once, server-wide.</summary>
    public int PeakConcurrency { get; init; }

    /// <summary>Most EWS requests in flight at once against each mailbox (primary SMTP address) that was called.</summary>
    public IReadOnlyDictionary<string, int> PeakConcurrencyByMailbox { get; init; } = new Dictionary<string, int>();

    /// <summary>The highest of <see cref="PeakConcurrencyByMailbox"/>.</summary>
    public int PeakConcurrencyAnyMailbox { get; init; }

    /// <summary>Most sync calls (SyncFolderItems + SyncFolderHierarchy) in flight at once against any one mailbox.</summary>
    public int PeakSyncCallsAnyMailbox { get; init; }

    /// <summary>ErrorServerBusy sent as a SOAP fault with HTTP 500.</summary>
    public long ServerBusyFaults { get; init; }

    /// <summary>ErrorServerBusy sent inside an HTTP 200 response message (ConcurrentSyncCalls).</summary>
    public long ServerBusyMessages { get; init; }

    /// <summary>ErrorExceededConnectionCount faults (EWSMaxConcurrency per mailbox exceeded).</summary>
    public long ConnectionCountExceeded { get; init; }

    /// <summary>HTTP 503 answers because the server-wide capacity was exceeded (not counting injected 503s).</summary>
    public long ServerFull503 { get; init; }

    /// <summary>All throttling answers: the four above together.</summary>
    public long ThrottledResponses => ServerBusyFaults + ServerBusyMessages + ConnectionCountExceeded + ServerFull503;

    /// <summary>Requests to a mailbox that arrived while it was told to back off (after the grace period): each is penalised.</summary>
    public long BackOffViolations { get; init; }

    /// <summary><see cref="BackOffViolations"/> by mailbox.</summary>
    public IReadOnlyDictionary<string, long> BackOffViolationsByMailbox { get; init; } = new Dictionary<string, long>();

    /// <summary>Injected faults by kind (Http500, Http503, ConnectionReset, SlowBody, TruncatedBody).</summary>
    public IReadOnlyDictionary<string, long> FaultsInjected { get; init; } = new Dictionary<string, long>();

    /// <summary>Error response codes sent (in faults and in response messages), by code.</summary>
    public IReadOnlyDictionary<string, long> ErrorResponses { get; init; } = new Dictionary<string, long>();

    /// <summary>HTTP 401 answers from the EWS endpoint.</summary>
    public long Unauthorized { get; init; }

    /// <summary>Impersonated requests without an X-AnchorMailbox header.</summary>
    public long MissingAnchorMailbox { get; init; }

    /// <summary>Impersonated requests whose X-AnchorMailbox names a different mailbox than the impersonation header.</summary>
    public long MismatchedAnchorMailbox { get; init; }

    /// <summary>Whether EWS requests are checked against messages.xsd/types.xsd (SimulatorOptions.EwsSchemaFolder).</summary>
    public bool SchemaChecked { get; init; }

    /// <summary>EWS requests that failed the schema check (always 0 when it is off).</summary>
    public long SchemaInvalidRequests { get; init; }

    /// <summary>The first error of each of the first 20 schema-invalid requests: "Operation, Element: message".</summary>
    public IReadOnlyList<string> SchemaErrors { get; init; } = Array.Empty<string>();

    /// <summary>Sum over EWS requests of the time each spent in the server (arrival until its answer was built; writing it out is not counted).</summary>
    public TimeSpan ServerBusyTime { get; init; }

    /// <summary>Items (changes, messages, folders) in successful EWS answers: what the service-time model charged per item.</summary>
    public long ItemsServed { get; init; }

    /// <summary>Bytes of successful EWS answers (the body each call built).</summary>
    public long BytesServed { get; init; }

    /// <summary>Successful EWS answers by SOAP operation: calls, items, bytes and the service time each was charged.</summary>
    public IReadOnlyDictionary<string, ServedWork> ServedByOperation { get; init; } = new Dictionary<string, ServedWork>();

    /// <summary>
    /// SyncFolderItems pages by the display name of the folder they synced, summed over mailboxes: for one mailbox, each
    /// folder's chain of pages (the next page needs the state of the last, so they cannot overlap).
    /// </summary>
    public IReadOnlyDictionary<string, ServedWork> SyncPagesByFolder { get; init; } = new Dictionary<string, ServedWork>();

    /// <summary>When the first EWS request since start or reset arrived (UTC); null before any. Benchmarks measure from here.</summary>
    public DateTime? FirstRequestAt { get; init; }

    /// <summary>The server-wide concurrency budget in force when the snapshot was taken.</summary>
    public int ServerCapacity { get; init; }

    /// <summary>The per-mailbox EWSMaxConcurrency in force.</summary>
    public int MaxConcurrencyPerMailbox { get; init; }

    /// <summary>The per-mailbox ConcurrentSyncCalls limit in force.</summary>
    public int MaxConcurrentSyncCallsPerMailbox { get; init; }

    /// <summary>Mailboxes with their own (changed) state; the rest are generated on demand.</summary>
    public int MaterialisedMailboxes { get; init; }

    /// <summary>Share of the server's capacity used: busy time / (elapsed × capacity), 0..1.</summary>
    public double ServerUtilisation =>
        Elapsed <= TimeSpan.Zero || ServerCapacity <= 0 ? 0 : ServerBusyTime.TotalSeconds / (Elapsed.TotalSeconds * ServerCapacity);

    /// <summary>The Graph endpoint's counters (the EWS ones above count EWS only).</summary>
    public GraphMetrics Graph { get; init; } = new();
}
