using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Channels;
using System.Threading.Tasks;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;

namespace InboxPS.Infrastructure;

/// <summary>
/// Streams piped mailboxes into a <see cref="SyncEngine"/> running the command's <see cref="IMailboxJob"/> on worker
/// threads, and pumps its results, progress and prompts onto the pipeline while input is still arriving.
/// </summary>
public abstract class SyncEngineCmdlet : MailboxPipelineCmdlet
{
    // One engine per organization the input names (piped Get-InboxSyncStatus entries carry theirs), in start order.
    private readonly Dictionary<string, EngineRun> _engines = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<EngineRun> _runs = new();
    private EngineRun? _defaultRun;

    /// <summary>
    /// The most mailboxes worked on at once (each mailbox one request at a time over EWS). How many requests the server
    /// takes at once the HTTP stack finds by itself (a concurrency gate per server), so this needs no tuning.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 64;

    /// <summary>The organization of the first engine started: the one -Organization (or the only one) names.</summary>
    protected OrganizationProfile? ResolvedOrganization => _runs.Count > 0 ? _runs[0].Organization : null;

    /// <summary>
    /// True for the scheduled-runbook form: a call with no pipeline and no -Identity means every activated user of the
    /// organization. A pipeline that delivered nothing means nobody (and warns).
    /// </summary>
    protected virtual bool ReplayRosterWithoutInput => false;

    /// <summary>
    /// Where the EWS client reports each request (the debug stream), or null when nobody would see it: then no message
    /// is built or posted per request.
    /// </summary>
    protected System.Action<string>? RequestTrace =>
        Shows("Debug", "DebugPreference") ? message => Sink.Log(InboxLogLevel.Debug, message) : null;

    /// <summary>
    /// The job (and its options) for one organization; called once for each organization the run meets, on the
    /// pipeline thread, before its first mailbox.
    /// </summary>
    protected abstract (IMailboxJob Job, SyncOptions Options) CreateJob(OrganizationProfile organization);

    /// <summary>
    /// Starts the engine now when the organization is known before any input: -Organization given, or no pipeline (the
    /// runbook form). Otherwise each piped record's Organization (or the only organization) picks its engine, so
    /// Get-InboxSyncStatus entries of two organizations pipe into one Start-InboxSync.
    /// </summary>
    protected void StartEngines()
    {
        if (Organization is not null || !MyInvocation.ExpectingInput)
        {
            _defaultRun = EngineFor(Organization);
        }
    }

    /// <summary>The protocol the engine syncs the resolved organization with; see <see cref="OrganizationConnections.ProtocolFor"/>.</summary>
    protected IMailboxProtocol ProtocolFor(OrganizationProfile organization, bool requireConnection)
    {
        try
        {
            return Session.Connections.ProtocolFor(organization, requireConnection, RequestTrace);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            throw; // not reached: ThrowTerminating always throws
        }
    }

    private EngineRun EngineFor(string? name)
    {
        if (name is null && _defaultRun is not null)
        {
            return _defaultRun;
        }

        if (name is not null && _engines.TryGetValue(name, out var known))
        {
            return known;
        }

        var organization = ResolveOrganization(name);
        if (_engines.TryGetValue(organization.Name, out var run))
        {
            return name is null ? _defaultRun = run : run;
        }

        var (job, options) = CreateJob(organization);
        options.ThrottleLimit = ThrottleLimit;

        // Each organization's run is a bar of its own (piped records of two organizations run two engines at once).
        var activityId = FirstActivityId + _runs.Count;
        options.ProgressActivity = ProgressActivity(organization);

        // Bounded: a fast producer (Get-Mailbox -ResultSize Unlimited) waits for the workers instead of filling memory.
        var input = Channel.CreateBounded<MailboxInput>(new BoundedChannelOptions(ThrottleLimit * 4) { SingleWriter = true });
        var engine = new SyncEngine(job, options, SinkFor(activityId));
        run = new EngineRun(organization, activityId, input, Task.Run(() => engine.RunAsync(input.Reader, CancellationToken)));

        // An engine that stops early (the organization's sign-in is gone) must not leave the pipeline waiting to write.
        _ = run.Engine.ContinueWith(_ => input.Writer.TryComplete(), TaskScheduler.Default);
        _engines[organization.Name] = run;
        _runs.Add(run);
        if (name is null)
        {
            _defaultRun = run;
        }

        return run;
    }

    protected override void ProcessRecord()
    {
        var records = ReadInputs();
        if (records.Length == 0)
        {
            return;
        }

        // A command-line -Organization stays bound; otherwise this record's piped Organization, or the only one.
        var run = EngineFor(Organization);
        foreach (var record in records)
        {
            if (run.Input.Writer.TryWrite(record))
            {
                continue;
            }

            try
            {
                Pump(run.Input.Writer.WriteAsync(record, CancellationToken).AsTask());
            }
            catch (ChannelClosedException)
            {
                // The engine ended before the input did: report why, once, and stop the pipeline.
                FinishEngines();
                return;
            }
        }

        DrainPosted();
    }

    private void FinishEngines()
    {
        foreach (var run in _runs)
        {
            run.Input.Writer.TryComplete();
        }

        try
        {
            Pump(Task.WhenAll(_runs.ConvertAll(r => r.Engine)));
        }
        catch (InboxException e)
        {
            // A run stopped by a refused sign-in or permission: Get-InboxConnection shows it as the organization's last.
            foreach (var run in _runs)
            {
                if (run.Engine.IsFaulted && run.Engine.Exception?.InnerException is InboxException failure)
                {
                    Session.Connections.Registry.RecordFailure(run.Organization.Name, failure);
                }
            }

            ThrowTerminating(e);
        }
    }

    protected override void EndProcessing()
    {
        if (!HadInput && ReplayRosterWithoutInput && MyInvocation.ExpectingInput)
        {
            // A pipeline that turned out empty (a Get-Mailbox filter that matched nobody, $null) means nobody, never
            // everyone: only a call with no pipeline at all is the runbook form.
            WriteWarning($"The piped input was empty: no mailbox was synced. To sync every activated user, run {MyInvocation.MyCommand.Name} with no pipeline input.");
        }
        else if (!HadInput && ReplayRosterWithoutInput && _defaultRun is { } run)
        {
            // Every activated user of the organization, read from the roster in pages.
            try
            {
                Pump(Task.Run(async () =>
                {
                    foreach (var entry in Store.GetRoster(run.Organization.Name, activeOnly: true))
                    {
                        await run.Input.Writer.WriteAsync(MailboxInput.FromRoster(entry), CancellationToken).ConfigureAwait(false);
                    }
                }));
            }
            catch (ChannelClosedException)
            {
                // The engine stopped early; FinishEngines below reports why.
            }
        }

        FinishEngines();
        foreach (var finished in _runs)
        {
            WriteProgress(new ProgressRecord(finished.ActivityId, ProgressActivity(finished.Organization), "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>"Start-InboxSync: contoso": the command that runs, and for which organization.</summary>
    private string ProgressActivity(OrganizationProfile organization) => $"{MyInvocation.MyCommand.Name}: {organization.Name}";

    private sealed class EngineRun
    {
        public EngineRun(OrganizationProfile organization, int activityId, Channel<MailboxInput> input, Task engine)
        {
            Organization = organization;
            ActivityId = activityId;
            Input = input;
            Engine = engine;
        }

        public OrganizationProfile Organization { get; }
        public int ActivityId { get; }
        public Channel<MailboxInput> Input { get; }
        public Task Engine { get; }
    }
}
