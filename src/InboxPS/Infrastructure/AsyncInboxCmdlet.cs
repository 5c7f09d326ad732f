using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Core;

namespace InboxPS.Infrastructure;

/// <summary>
/// Base for cmdlets whose work is asynchronous. PowerShell only accepts WriteObject/WriteError/WriteProgress/ShouldProcess
/// on the pipeline thread, so workers never call them: they post actions to a queue that the pipeline thread drains
/// (<see cref="Pump"/>), the pattern of PowerShell-OpenAuthenticode's AsyncPSCmdlet. Ctrl+C cancels
/// <see cref="CancellationToken"/>; a cancelled run ends as a stopped pipeline, not as an error.
/// </summary>
public abstract class AsyncInboxCmdlet : InboxCmdlet
{
    private static readonly Action s_wake = () => { };
    private readonly CancellationTokenSource _stop = new();
    private readonly BlockingCollection<Action> _pipelineWork = new();
    private readonly int _pipelineThreadId = Environment.CurrentManagedThreadId;
    private PipelineSink? _sink;

    /// <summary>Cancelled when the user presses Ctrl+C or a downstream command stops the pipeline.</summary>
    protected CancellationToken CancellationToken => _stop.Token;

    /// <summary>The sink the core writes to; everything it carries reaches PowerShell on the pipeline thread.</summary>
    protected IInboxSink Sink => _sink ??= new PipelineSink(this, FirstActivityId);

    /// <summary>The progress ActivityId of <see cref="Sink"/>.</summary>
    protected const int FirstActivityId = 1;

    /// <summary>
    /// A sink like <see cref="Sink"/> whose progress is its own bar (<paramref name="activityId"/>), so two runs of one
    /// command (one per organization) do not overwrite each other's progress.
    /// </summary>
    protected IInboxSink SinkFor(int activityId) => activityId == FirstActivityId ? Sink : new PipelineSink(this, activityId);

    protected override void StopProcessing() => _stop.Cancel();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
            _pipelineWork.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Runs <paramref name="work"/> on a worker thread and pumps its pipeline writes until it ends.</summary>
    protected void RunAsync(Func<CancellationToken, Task> work) => Pump(Task.Run(() => work(CancellationToken)));

    /// <summary>
    /// Drains posted pipeline work on this (the pipeline) thread until <paramref name="task"/> completes, then rethrows
    /// its failure. A write that fails (the pipeline is stopping) cancels the workers before the exception propagates.
    /// </summary>
    protected void Pump(Task task)
    {
        _ = task.ContinueWith(_ => Post(s_wake), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (!task.IsCompleted)
            {
                _pipelineWork.Take()();
            }

            DrainPosted();
        }
        catch
        {
            _stop.Cancel();
            throw;
        }

        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (InboxException e)
        {
            // A worker's failure carries its stable id, not "InboxPS.Core.InboxException" as PowerShell would name it.
            ThrowTerminating(e);
        }
    }

    /// <summary>Runs whatever workers have posted so far, without waiting; call it between input records.</summary>
    protected void DrainPosted()
    {
        while (_pipelineWork.TryTake(out var action))
        {
            action();
        }
    }

    /// <summary>Queues <paramref name="action"/> for the pipeline thread; runs it at once when already on it.</summary>
    protected void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        try
        {
            _pipelineWork.Add(action);
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet has ended; a late write from a worker that was cancelled has nowhere to go.
        }
    }

    /// <summary>Asks ShouldProcess on the pipeline thread from a worker and waits for the answer.</summary>
    protected Task<bool> ShouldProcessFromWorker(string target, string action)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                answer.TrySetResult(ShouldProcess(target, action));
            }
            catch (Exception e)
            {
                answer.TrySetException(e);
                throw;
            }
        });
        return answer.Task;
    }

    /// <summary>
    /// Whether PowerShell would show this command's records of a stream: its common parameter (-Verbose, -Debug) when
    /// given, else the caller's preference variable. Call on the pipeline thread.
    /// </summary>
    protected bool Shows(string commonParameter, string preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(commonParameter, out var given) && given is SwitchParameter common)
        {
            return common.IsPresent;
        }

        return GetVariableValue(preferenceVariable) is not ActionPreference preference ||
               (preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);
    }

    /// <summary>What a result posted by the core becomes on the pipeline; by default the object itself.</summary>
    protected virtual void WriteResult(object result) => WriteObject(result);

    /// <summary>Adapts the core's sink to PowerShell's streams by posting to the pipeline thread.</summary>
    private sealed class PipelineSink : IInboxSink
    {
        private readonly AsyncInboxCmdlet _cmdlet;
        private readonly int _activityId;
        private readonly bool _showsVerbose;
        private readonly bool _showsDebug;

        public PipelineSink(AsyncInboxCmdlet cmdlet, int activityId)
        {
            _cmdlet = cmdlet;
            _activityId = activityId;

            // A line nobody would see is dropped here, not posted: every post wakes the pipeline thread, and a sync logs
            // a few verbose lines per mailbox. Made off the pipeline thread, the sink cannot ask, and posts them all.
            var onPipelineThread = Environment.CurrentManagedThreadId == cmdlet._pipelineThreadId;
            _showsVerbose = !onPipelineThread || cmdlet.Shows("Verbose", "VerbosePreference");
            _showsDebug = !onPipelineThread || cmdlet.Shows("Debug", "DebugPreference");
        }

        public void Progress(InboxProgress progress) => _cmdlet.Post(() =>
        {
            var record = new ProgressRecord(_activityId, progress.Activity, progress.Status);
            if (progress.PercentComplete is { } percent)
            {
                record.PercentComplete = percent;
            }

            _cmdlet.WriteProgress(record);
        });

        public void Log(InboxLogLevel level, string message)
        {
            if ((level == InboxLogLevel.Verbose && !_showsVerbose) || (level == InboxLogLevel.Debug && !_showsDebug))
            {
                return;
            }

            _cmdlet.Post(() => Write(level, message));
        }

        private void Write(InboxLogLevel level, string message)
        {
            switch (level)
            {
                case InboxLogLevel.Debug:
                    _cmdlet.WriteDebug(message);
                    break;
                case InboxLogLevel.Verbose:
                    _cmdlet.WriteVerbose(message);
                    break;
                case InboxLogLevel.Warning:
                    _cmdlet.WriteWarning(message);
                    break;
                default:
                    _cmdlet.WriteInformation(new InformationRecord(message, _cmdlet.MyInvocation.MyCommand.Name));
                    break;
            }
        }

        public void Result(object result) => _cmdlet.Post(() => _cmdlet.WriteResult(result));
    }
}
