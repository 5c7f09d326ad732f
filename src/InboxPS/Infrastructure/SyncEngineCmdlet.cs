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
    private Channel<MailboxInput>? _input;
    private Task? _engine;

    /// <summary>How many mailboxes are worked on at once (each mailbox one request at a time).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>The organization being worked on, resolved in BeginProcessing.</summary>
    protected OrganizationProfile? ResolvedOrganization { get; private set; }

    /// <summary>True for the scheduled-runbook form: no input means every activated user of the organization.</summary>
    protected virtual bool ReplayRosterWithoutInput => false;

    /// <summary>
    /// Where the EWS client reports each request (the debug stream), or null when nobody would see it: then no message
    /// is built or posted per request.
    /// </summary>
    protected System.Action<string>? RequestTrace =>
        MyInvocation.BoundParameters.ContainsKey("Debug") ||
        GetVariableValue("DebugPreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore
            ? message => Sink.Log(InboxLogLevel.Debug, message)
            : null;

    protected OrganizationProfile ResolveOrganization() => ResolvedOrganization = ResolveOrganization(Organization);

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

    protected void StartEngine(IMailboxJob job, SyncOptions options)
    {
        options.ThrottleLimit = ThrottleLimit;
        options.ProgressActivity = MyInvocation.MyCommand.Name;

        // Bounded: a fast producer (Get-Mailbox -ResultSize Unlimited) waits for the workers instead of filling memory.
        _input = Channel.CreateBounded<MailboxInput>(new BoundedChannelOptions(ThrottleLimit * 4) { SingleWriter = true });
        var engine = new SyncEngine(job, options, Sink);
        _engine = Task.Run(() => engine.RunAsync(_input.Reader, CancellationToken));

        // An engine that stops early (the organization's sign-in is gone) must not leave the pipeline waiting to write.
        _ = _engine.ContinueWith(_ => _input.Writer.TryComplete(), TaskScheduler.Default);
    }

    protected override void ProcessRecord()
    {
        foreach (var record in ReadInputs())
        {
            if (_input!.Writer.TryWrite(record))
            {
                continue;
            }

            try
            {
                Pump(_input.Writer.WriteAsync(record, CancellationToken).AsTask());
            }
            catch (ChannelClosedException)
            {
                // The engine ended before the input did: report why, once, and stop the pipeline.
                FinishEngine();
                return;
            }
        }

        DrainPosted();
    }

    private void FinishEngine()
    {
        try
        {
            Pump(_engine!);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
        }
    }

    protected override void EndProcessing()
    {
        if (!HadInput && ReplayRosterWithoutInput)
        {
            // Every activated user of the organization, read from the roster in pages.
            try
            {
                Pump(Task.Run(async () =>
                {
                    foreach (var entry in Store.GetRoster(ResolvedOrganization!.Name, activeOnly: true))
                    {
                        await _input!.Writer.WriteAsync(MailboxInput.FromRoster(entry), CancellationToken).ConfigureAwait(false);
                    }
                }));
            }
            catch (ChannelClosedException)
            {
                // The engine stopped early; FinishEngine below reports why.
            }
        }

        _input!.Writer.TryComplete();
        FinishEngine();
        WriteProgress(new ProgressRecord(1, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
