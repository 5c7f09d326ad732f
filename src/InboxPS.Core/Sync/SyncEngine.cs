using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// The scheduler: reads mailboxes from a channel, works on <see cref="SyncOptions.ThrottleLimit"/> of them at a time
/// with one <see cref="IMailboxJob"/>, and reports one outcome per distinct mailbox through the sink as soon as that
/// mailbox is done. Input streams: the first mailbox starts while the rest is still arriving, and only in-flight
/// mailboxes are held in memory. A mailbox that is only throttled or unreachable is parked and visited once more after
/// the rest; a failure of the organization's sign-in, or a store that cannot be written, stops the whole run once.
/// </summary>
public sealed class SyncEngine
{
    private readonly IMailboxJob _job;
    private readonly SyncOptions _options;
    private readonly IInboxSink _sink;
    private readonly RunProgress _progress;
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ParkedMailbox> _parked = new();
    private InboxException? _runError;

    public SyncEngine(IMailboxJob job, SyncOptions options, IInboxSink sink)
    {
        _job = job;
        _options = options;
        _sink = sink;
        _progress = new RunProgress(options.ProgressActivity, sink);
    }

    /// <summary>Runs until the input is complete and every mailbox has an outcome.</summary>
    /// <exception cref="InboxException">The organization's sign-in failed for good (reconnect the service account), or the
    /// store cannot be written (<see cref="SyncFault.StoreFailed"/>).</exception>
    public async Task RunAsync(ChannelReader<MailboxInput> input, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = new Task[Math.Max(1, _options.ThrottleLimit)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(input, stop), CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _runError) is not null)
        {
        }

        if (Volatile.Read(ref _runError) is { } organizationError)
        {
            throw organizationError;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _progress.Report(force: true);
    }

    private async Task WorkAsync(ChannelReader<MailboxInput> input, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        while (await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (input.TryRead(out var record))
            {
                MailboxTarget target;
                try
                {
                    target = record.Resolve();
                }
                catch (InboxException e)
                {
                    _progress.Received();
                    Complete(_job.Unresolvable(record.Describe(), e));
                    continue;
                }

                // The same mailbox twice in the input is worked on once and reported once.
                if (_seen.TryAdd(target.Key, 0))
                {
                    _progress.Received();
                    await VisitAsync(target, revisit: false, stop).ConfigureAwait(false);
                }
            }
        }

        _progress.InputComplete();

        // Every worker that parks a mailbox comes through here afterwards, so no parked mailbox is left behind.
        while (_parked.TryDequeue(out var parked))
        {
            var wait = parked.Due - _progress.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            _sink.Log(InboxLogLevel.Verbose, $"{parked.Target}: trying again after {parked.ErrorId}.");
            await VisitAsync(parked.Target, revisit: true, stop).ConfigureAwait(false);
        }
    }

    private async Task VisitAsync(MailboxTarget target, bool revisit, CancellationTokenSource stop)
    {
        MailboxOutcome outcome;
        try
        {
            outcome = await _job.RunAsync(target, revisit, stop.Token).ConfigureAwait(false);
        }
        catch (InboxException e) when (MailboxFailure.StopsRun(e))
        {
            // One error for the run instead of every user failing with the same message: a failed sign-in of the
            // organization, or a store that cannot be written.
            Interlocked.CompareExchange(ref _runError, e, null);
            stop.Cancel();
            throw new OperationCanceledException(e.Message, e, stop.Token);
        }
        catch (Exception e) when (MailboxFailure.IsMailboxFailure(e, stop.Token))
        {
            // A job that let an exception escape: still that mailbox's outcome only.
            outcome = _job.Unresolvable(target.Address, MailboxFailure.From(e, target.Address));
        }

        // A mailbox that failed only because the server was busy or unreachable, after every retry of the call, waits
        // until the rest of the input is done instead of holding a worker: a throttling storm has usually passed by
        // then. It is visited once more; a second failure is its outcome.
        if (!revisit && outcome.GetError() is { Fault: SyncFault.Throttled or SyncFault.Unavailable } error)
        {
            _sink.Log(InboxLogLevel.Warning,
                $"{target}: {error.Message} Trying this mailbox again once the rest of the input is done.");
            _parked.Enqueue(new ParkedMailbox(target, error.ErrorId, _progress.Elapsed + _options.RetryTransientAfter));
            return;
        }

        Complete(outcome);
    }

    private void Complete(MailboxOutcome outcome)
    {
        _sink.Result(outcome);
        _progress.Completed(outcome);
    }

    private sealed class ParkedMailbox
    {
        public ParkedMailbox(MailboxTarget target, string errorId, TimeSpan due)
        {
            Target = target;
            ErrorId = errorId;
            Due = due;
        }

        public MailboxTarget Target { get; }

        public string ErrorId { get; }

        public TimeSpan Due { get; }
    }
}
