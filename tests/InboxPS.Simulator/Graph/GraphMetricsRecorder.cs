using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using InboxPS.Simulator.Ews;

namespace InboxPS.Simulator.Graph;

/// <summary>The live counters behind <see cref="GraphMetrics"/>; lock-free like the EWS side's recorder.</summary>
internal sealed class GraphMetricsRecorder
{
    private readonly ConcurrentDictionary<string, long> _endpoints = new();
    private readonly ConcurrentDictionary<string, long> _statuses = new();
    private readonly ConcurrentDictionary<string, long> _throttled = new();
    private readonly ConcurrentDictionary<string, long> _quirks = new();
    private readonly ConcurrentDictionary<int, long> _violationsByMailbox = new();
    private long _requests;
    private long _violations;
    private long _unauthorized;
    private long _busyTicks;
    private readonly ServedWorkTally _servedByEndpoint = new();
    private readonly ServedWorkTally _syncPagesByFolder = new();
    private long _firstRequestTicks;
    private readonly FrontEnd _frontEnd = new();

    public FrontEndCall Enter()
    {
        Interlocked.Increment(ref _requests);
        MetricsRecorder.MarkFirst(ref _firstRequestTicks);
        return _frontEnd.Enter();
    }

    public void Exit(FrontEndCall call) => Interlocked.Add(ref _busyTicks, call.Leave().Ticks);

    /// <summary>As the EWS side's <see cref="MetricsRecorder.Served"/>: by endpoint, and a delta page also by the folder it synced.</summary>
    public void Served(string endpoint, string? syncFolder, int items, long bytes, TimeSpan serviceTime)
    {
        _servedByEndpoint.Add(endpoint, items, bytes, serviceTime);
        if (syncFolder is not null)
        {
            _syncPagesByFolder.Add(syncFolder, items, bytes, serviceTime);
        }
    }

    public void Endpoint(string name) => _endpoints.AddOrUpdate(name, 1, (_, n) => n + 1);

    public void Status(int status) => _statuses.AddOrUpdate(status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);

    public void Throttled(string cause) => _throttled.AddOrUpdate(cause, 1, (_, n) => n + 1);

    public void Quirk(string kind) => _quirks.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Unauthorized() => Interlocked.Increment(ref _unauthorized);

    public void Violation(int mailbox)
    {
        Interlocked.Increment(ref _violations);
        _violationsByMailbox.AddOrUpdate(mailbox, 1, (_, n) => n + 1);
    }

    public void Reset()
    {
        foreach (var d in new[] { _endpoints, _statuses, _throttled, _quirks })
        {
            d.Clear();
        }

        _violationsByMailbox.Clear();
        _servedByEndpoint.Clear();
        _syncPagesByFolder.Clear();
        _requests = _violations = _unauthorized = _busyTicks = _firstRequestTicks = 0;
        _frontEnd.ResetPeak();
    }

    public GraphMetrics Snapshot(GraphThrottling throttling, Func<int, string> address)
    {
        var peaks = throttling.Peaks();
        var served = _servedByEndpoint.Snapshot();
        return new GraphMetrics
        {
            Requests = Interlocked.Read(ref _requests),
            RequestsByEndpoint = _endpoints.ToDictionary(p => p.Key, p => p.Value),
            ResponsesByStatus = _statuses.ToDictionary(p => p.Key, p => p.Value),
            ThrottledByCause = _throttled.ToDictionary(p => p.Key, p => p.Value),
            RetryAfterViolations = Interlocked.Read(ref _violations),
            RetryAfterViolationsByMailbox = _violationsByMailbox.ToDictionary(p => address(p.Key), p => p.Value, StringComparer.OrdinalIgnoreCase),
            PeakConcurrencyByMailbox = peaks.ToDictionary(p => address(p.Mailbox), p => p.Peak, StringComparer.OrdinalIgnoreCase),
            PeakConcurrencyAnyMailbox = peaks.Select(p => p.Peak).DefaultIfEmpty().Max(),
            PeakConcurrency = _frontEnd.Peak,
            Unauthorized = Interlocked.Read(ref _unauthorized),
            QuirksServed = _quirks.ToDictionary(p => p.Key, p => p.Value),
            BusyTime = TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)),
            ItemsServed = served.Values.Sum(w => w.Items),
            BytesServed = served.Values.Sum(w => w.Bytes),
            ServedByEndpoint = served,
            SyncPagesByFolder = _syncPagesByFolder.Snapshot(),
            FirstRequestAt = MetricsRecorder.FirstAt(ref _firstRequestTicks),
        };
    }
}
