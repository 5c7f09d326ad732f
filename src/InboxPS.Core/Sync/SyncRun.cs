using System;

namespace InboxPS.Core.Sync;

/// <summary>One worker's run over an organization, as the store recorded its start.</summary>
public sealed class SyncRun
{
    public SyncRun(long id, string organization, string worker, string token, DateTimeOffset started,
        DateTimeOffset? roundStarted = null)
    {
        Id = id;
        Organization = organization;
        Worker = worker;
        Token = token;
        Started = started;
        RoundStarted = roundStarted ?? started;
    }

    public long Id { get; }
    public string Organization { get; }

    /// <summary>The worker's name as an admin reads it (machine and process, or INBOXPS_WORKER).</summary>
    public string Worker { get; }

    /// <summary>Unique to this run: what a claim is held by, so two processes given the same name never share a claim.</summary>
    public string Token { get; }

    /// <summary>The store's clock when the run started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>
    /// When the round this run belongs to began (the store's clock): a mailbox another run finished since then is left
    /// alone. This run's own start, unless it joined the round of workers started shortly before it.
    /// </summary>
    public DateTimeOffset RoundStarted { get; }
}
