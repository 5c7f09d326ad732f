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
    private long _itemsServed;
    private long _bytesServed;
    private long _firstRequestTicks;
    private int _inFlight;
    private int _peak;

    public int Enter()
    {
        Interlocked.Increment(ref _requests);
        MetricsRecorder.MarkFirst(ref _firstRequestTicks);
        var now = Interlocked.Increment(ref _inFlight);
        MetricsRecorder.Max(ref _peak, now);
        return now;
    }

    public void Exit(TimeSpan spent)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Add(ref _busyTicks, spent.Ticks);
    }

    public void Served(int items, long bytes)
    {
        Interlocked.Add(ref _itemsServed, items);
        Interlocked.Add(ref _bytesServed, bytes);
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
        _requests = _violations = _unauthorized = _busyTicks = _itemsServed = _bytesServed = _firstRequestTicks = 0;
        _peak = Volatile.Read(ref _inFlight);
    }

    public GraphMetrics Snapshot(GraphThrottling throttling, Func<int, string> address)
    {
        var peaks = throttling.Peaks();
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
            PeakConcurrency = Volatile.Read(ref _peak),
            Unauthorized = Interlocked.Read(ref _unauthorized),
            QuirksServed = _quirks.ToDictionary(p => p.Key, p => p.Value),
            BusyTime = TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)),
            ItemsServed = Interlocked.Read(ref _itemsServed),
            BytesServed = Interlocked.Read(ref _bytesServed),
            FirstRequestAt = MetricsRecorder.FirstAt(ref _firstRequestTicks),
        };
    }
}
