using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace InboxPS.Simulator.Ews;

/// <summary>The live counters behind <see cref="SimulatorMetrics"/>; lock-free so recording never slows the server down.</summary>
internal sealed class MetricsRecorder
{
    private readonly ConcurrentDictionary<string, long> _operations = new();
    private readonly ConcurrentDictionary<string, long> _grants = new();
    private readonly ConcurrentDictionary<string, long> _faults = new();
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private readonly ConcurrentDictionary<int, long> _violationsByMailbox = new();
    private long _started = Stopwatch.GetTimestamp();
    private long _ewsRequests;
    private readonly FrontEnd _frontEnd = new();
    private long _busyFaults;
    private long _busyMessages;
    private long _connectionCount;
    private long _serverFull;
    private long _violations;
    private long _unauthorized;
    private long _missingAnchor;
    private long _mismatchedAnchor;
    private long _schemaInvalid;
    private readonly ConcurrentQueue<string> _schemaErrors = new();
    private long _busyTicks;
    private readonly ServedWorkTally _servedByOperation = new();
    private readonly ServedWorkTally _syncPagesByFolder = new();
    private long _firstRequestTicks;

    public void Reset()
    {
        foreach (var d in new[] { _operations, _grants, _faults, _errors })
        {
            d.Clear();
        }

        _violationsByMailbox.Clear();
        _servedByOperation.Clear();
        _syncPagesByFolder.Clear();
        _ewsRequests = _busyFaults = _busyMessages = _connectionCount = _serverFull = _violations = _unauthorized = 0;
        _missingAnchor = _mismatchedAnchor = _busyTicks = _schemaInvalid = _firstRequestTicks = 0;
        _schemaErrors.Clear();
        _frontEnd.ResetPeak();
        Interlocked.Exchange(ref _started, Stopwatch.GetTimestamp());
    }

    /// <summary>A request arrived: its place in the front end.</summary>
    public FrontEndCall Enter()
    {
        Interlocked.Increment(ref _ewsRequests);
        MarkFirst(ref _firstRequestTicks);
        return _frontEnd.Enter();
    }

    public void Exit(FrontEndCall call) => Interlocked.Add(ref _busyTicks, call.Leave().Ticks);

    /// <summary>
    /// An answer to <paramref name="operation"/> carried <paramref name="items"/> items (changes, messages, folders) in
    /// <paramref name="bytes"/> bytes and was charged <paramref name="serviceTime"/>; a sync page also counts for the folder
    /// it synced (<paramref name="syncFolder"/>, its display name).
    /// </summary>
    public void Served(string operation, string? syncFolder, int items, long bytes, TimeSpan serviceTime)
    {
        _servedByOperation.Add(operation, items, bytes, serviceTime);
        if (syncFolder is not null)
        {
            _syncPagesByFolder.Add(syncFolder, items, bytes, serviceTime);
        }
    }

    public void Operation(string name) => _operations.AddOrUpdate(name, 1, (_, n) => n + 1);

    public void Grant(string name) => _grants.AddOrUpdate(name, 1, (_, n) => n + 1);

    public void Fault(string kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Error(string code) => _errors.AddOrUpdate(code, 1, (_, n) => n + 1);

    public void ServerBusyFault() => Interlocked.Increment(ref _busyFaults);

    public void ServerBusyMessage() => Interlocked.Increment(ref _busyMessages);

    public void ConnectionCountExceeded() => Interlocked.Increment(ref _connectionCount);

    public void ServerFull() => Interlocked.Increment(ref _serverFull);

    public void Unauthorized() => Interlocked.Increment(ref _unauthorized);

    public void MissingAnchor() => Interlocked.Increment(ref _missingAnchor);

    public void MismatchedAnchor() => Interlocked.Increment(ref _mismatchedAnchor);

    /// <summary>A request that fails the EWS schema; the first few errors are kept for the test that reports them.</summary>
    public void SchemaInvalid(string firstError)
    {
        if (Interlocked.Increment(ref _schemaInvalid) <= 20)
        {
            _schemaErrors.Enqueue(firstError);
        }
    }

    /// <summary>Whether requests are checked against the EWS schema at all (set once at start).</summary>
    public bool SchemaChecked { get; set; }

    public void Violation(int mailbox)
    {
        Interlocked.Increment(ref _violations);
        _violationsByMailbox.AddOrUpdate(mailbox, 1, (_, n) => n + 1);
    }

    public SimulatorMetrics Snapshot(Throttling throttling, Func<int, string> address, int materialised, GraphMetrics graph)
    {
        var peaks = throttling.Peaks();
        var served = _servedByOperation.Snapshot();
        return new SimulatorMetrics
        {
            Elapsed = Stopwatch.GetElapsedTime(Interlocked.Read(ref _started)),
            EwsRequests = Interlocked.Read(ref _ewsRequests),
            RequestsByOperation = Copy(_operations),
            TokenRequestsByGrant = Copy(_grants),
            PeakConcurrency = _frontEnd.Peak,
            PeakConcurrencyByMailbox = peaks.ToDictionary(p => address(p.Mailbox), p => p.Peak, StringComparer.OrdinalIgnoreCase),
            PeakConcurrencyAnyMailbox = peaks.Select(p => p.Peak).DefaultIfEmpty().Max(),
            PeakSyncCallsAnyMailbox = peaks.Select(p => p.PeakSync).DefaultIfEmpty().Max(),
            ServerBusyFaults = Interlocked.Read(ref _busyFaults),
            ServerBusyMessages = Interlocked.Read(ref _busyMessages),
            ConnectionCountExceeded = Interlocked.Read(ref _connectionCount),
            ServerFull503 = Interlocked.Read(ref _serverFull),
            BackOffViolations = Interlocked.Read(ref _violations),
            BackOffViolationsByMailbox = _violationsByMailbox.ToDictionary(p => address(p.Key), p => p.Value, StringComparer.OrdinalIgnoreCase),
            FaultsInjected = Copy(_faults),
            ErrorResponses = Copy(_errors),
            Unauthorized = Interlocked.Read(ref _unauthorized),
            MissingAnchorMailbox = Interlocked.Read(ref _missingAnchor),
            MismatchedAnchorMailbox = Interlocked.Read(ref _mismatchedAnchor),
            SchemaChecked = SchemaChecked,
            SchemaInvalidRequests = Interlocked.Read(ref _schemaInvalid),
            SchemaErrors = _schemaErrors.ToArray(),
            ServerBusyTime = TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)),
            ItemsServed = served.Values.Sum(w => w.Items),
            BytesServed = served.Values.Sum(w => w.Bytes),
            ServedByOperation = served,
            SyncPagesByFolder = _syncPagesByFolder.Snapshot(),
            FirstRequestAt = FirstAt(ref _firstRequestTicks),
            ServerCapacity = throttling.ServerCapacity,
            MaxConcurrencyPerMailbox = throttling.MaxConcurrency,
            MaxConcurrentSyncCallsPerMailbox = throttling.MaxSyncCalls,
            MaterialisedMailboxes = materialised,
            Graph = graph,
        };
    }

    private static Dictionary<string, long> Copy(ConcurrentDictionary<string, long> source) => source.ToDictionary(p => p.Key, p => p.Value);

    // UTC wall clock, not the Stopwatch: the benchmark compares it with the client's clock in another process.
    internal static void MarkFirst(ref long ticks) => Interlocked.CompareExchange(ref ticks, DateTime.UtcNow.Ticks, 0);

    internal static DateTime? FirstAt(ref long ticks)
    {
        var value = Interlocked.Read(ref ticks);
        return value == 0 ? null : new DateTime(value, DateTimeKind.Utc);
    }
}
