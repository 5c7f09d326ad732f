using System;
using System.Collections.Generic;

namespace InboxPS.Simulator;

/// <summary>What the Graph endpoint saw since start or the last reset (the Graph half of <see cref="SimulatorMetrics"/>).</summary>
public sealed class GraphMetrics
{
    /// <summary>Every Graph call, $batch items included (a $batch counts once itself and once per item).</summary>
    public long Requests { get; init; }

    /// <summary>Calls by endpoint: "users", "user", "mailFolders/delta", "messages/delta", "message", "$value", "$batch", ...</summary>
    public IReadOnlyDictionary<string, long> RequestsByEndpoint { get; init; } = new Dictionary<string, long>();

    /// <summary>Answers by HTTP status.</summary>
    public IReadOnlyDictionary<string, long> ResponsesByStatus { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// 429s by cause: MailboxConcurrency (over 4 in flight), MailboxRequests (over 10,000 in 10 minutes), ThrottledMailbox
    /// (throttled@ or ThrottleMailbox), RetryAfter (sent within the grace after a 429, so before the client could know),
    /// RetryAfterViolation (came back before Retry-After ran out).
    /// </summary>
    public IReadOnlyDictionary<string, long> ThrottledByCause { get; init; } = new Dictionary<string, long>();

    /// <summary>Calls for a mailbox whose Retry-After had not run out (past the grace), by mailbox and in total.</summary>
    public long RetryAfterViolations { get; init; }

    public IReadOnlyDictionary<string, long> RetryAfterViolationsByMailbox { get; init; } = new Dictionary<string, long>();

    /// <summary>Most Graph calls in flight at once against each mailbox (any app), and the highest of them.</summary>
    public IReadOnlyDictionary<string, int> PeakConcurrencyByMailbox { get; init; } = new Dictionary<string, int>();

    public int PeakConcurrencyAnyMailbox { get; init; }

    /// <summary>Most Graph calls in flight at once, server-wide.</summary>
    public int PeakConcurrency { get; init; }

    /// <summary>401 answers (bad, expired, wrong-audience or role-less tokens).</summary>
    public long Unauthorized { get; init; }

    /// <summary>Injected 503/504 answers and quirks served, by kind.</summary>
    public IReadOnlyDictionary<string, long> QuirksServed { get; init; } = new Dictionary<string, long>();

    /// <summary>Sum of every Graph call's time in the server.</summary>
    public TimeSpan BusyTime { get; init; }

    /// <summary>Items (messages, folders) in successful mailbox answers, as the service-time model charged them.</summary>
    public long ItemsServed { get; init; }

    /// <summary>Bytes of successful mailbox answers.</summary>
    public long BytesServed { get; init; }

    /// <summary>Successful mailbox answers by endpoint (as <see cref="RequestsByEndpoint"/> names them): calls, items, bytes, service time.</summary>
    public IReadOnlyDictionary<string, ServedWork> ServedByEndpoint { get; init; } = new Dictionary<string, ServedWork>();

    /// <summary>messages/delta pages by the display name of the folder they synced, summed over mailboxes: for one mailbox, each folder's chain.</summary>
    public IReadOnlyDictionary<string, ServedWork> SyncPagesByFolder { get; init; } = new Dictionary<string, ServedWork>();

    /// <summary>When the first Graph request since start or reset arrived (UTC); null before any.</summary>
    public DateTime? FirstRequestAt { get; init; }
}
