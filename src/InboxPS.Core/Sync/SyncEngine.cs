using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// The scheduler: reads mailboxes from a channel, works on <see cref="SyncOptions.ThrottleLimit"/> of them at a time
/// with one <see cref="IMailboxJob"/>, and reports one outcome per distinct mailbox through the sink as soon as that
/// mailbox is done. How many requests reach the server at once is not decided here but where they are all seen, in the
/// HTTP stack (a concurrency gate per server that finds the front end's capacity): more mailboxes in flight than the
/// server takes requests keep it busy while each mailbox's own client work (parsing, storing) runs. Input streams: the
/// first mailbox starts while the rest is still arriving, and only in-flight mailboxes are held in memory. A mailbox
/// the server told to back off is parked until the back-off ends while its worker takes the next one, so no worker
/// sleeps out a long back-off; one that is only busy or unreachable without a back-off is visited once more after the
/// rest. A failure of the organization's sign-in, or a store that cannot be written, stops the whole run once.
/// </summary>
public sealed class SyncEngine
{
    // How long an idle worker (input done) sleeps at most before looking again: another worker may park a mailbox that
    // is due sooner than anything it knew of.
    private static readonly TimeSpan s_idlePoll = TimeSpan.FromMilliseconds(100);

    private readonly IMailboxJob _job;
    private readonly SyncOptions _options;
    private readonly IInboxSink _sink;
    private readonly RunProgress _progress;
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ParkedMailboxes _parked = new();
    private InboxException? _runError;
    private bool _inputComplete;
    private int _visiting;

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
        using var threads = ThreadPoolReserve.Hold(workers.Length);
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
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inputComplete = Volatile.Read(ref _inputComplete);

            // A parked mailbox that is due goes first: its back-off is over, and it waits for nobody.
            if (_parked.TryTakeDue(_progress.Elapsed, inputComplete, out var parked))
            {
                ReportParked();
                _sink.Log(InboxLogLevel.Verbose, $"{parked.Target}: trying again after {parked.ErrorId}.");
                await VisitAsync(parked.Target, parked.Parks, stop).ConfigureAwait(false);
                continue;
            }

            if (!inputComplete)
            {
                if (input.TryRead(out var record))
                {
                    await TakeAsync(record, stop).ConfigureAwait(false);
                }
                else if (!await WaitForInputAsync(input, cancellationToken).ConfigureAwait(false))
                {
                    Volatile.Write(ref _inputComplete, true);
                    _progress.InputComplete();
                }

                continue;
            }

            // The input is done: a worker stays while mailboxes are parked or still being worked on (which may park
            // them), and sleeps only until the next one is due, never through a back-off it holds a mailbox for.
            if (_parked.Count == 0 && Volatile.Read(ref _visiting) == 0)
            {
                return;
            }

            await Task.Delay(UntilNextDue(inputComplete: true, s_idlePoll), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TakeAsync(MailboxInput record, CancellationTokenSource stop)
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
            return;
        }

        // The same mailbox twice in the input is worked on once and reported once.
        if (_seen.TryAdd(target.Key, 0))
        {
            _progress.Received();
            await VisitAsync(target, parks: 0, stop).ConfigureAwait(false);
        }
    }

    /// <returns>False when the input is complete. Returns early, with true, when a parked mailbox becomes due.</returns>
    private async Task<bool> WaitForInputAsync(ChannelReader<MailboxInput> input, CancellationToken cancellationToken)
    {
        if (_parked.NextDue(inputComplete: false) is null)
        {
            return await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waiting.CancelAfter(UntilNextDue(inputComplete: false, Timeout.InfiniteTimeSpan));
        try
        {
            return await input.WaitToReadAsync(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private TimeSpan UntilNextDue(bool inputComplete, TimeSpan longest)
    {
        if (_parked.NextDue(inputComplete) is not { } due)
        {
            return longest;
        }

        var wait = due - _progress.Elapsed;
        var shortest = TimeSpan.FromMilliseconds(1);
        return wait < shortest ? shortest : longest != Timeout.InfiniteTimeSpan && wait > longest ? longest : wait;
    }

    private async Task VisitAsync(MailboxTarget target, int parks, CancellationTokenSource stop)
    {
        MailboxOutcome outcome;
        Interlocked.Increment(ref _visiting);
        try
        {
            outcome = await _job.RunAsync(target, revisit: parks > 0, stop.Token).ConfigureAwait(false);
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
        finally
        {
            Interlocked.Decrement(ref _visiting);
        }

        if (!Park(target, outcome, parks))
        {
            Complete(outcome);
        }
    }

    // A mailbox the server told to back off for longer than a call waits itself is parked until the back-off ends, and
    // its worker takes the next mailbox at once. One that failed because the server was busy or unreachable without
    // saying for how long waits until the rest of the input is done (a storm has usually passed by then) and is
    // visited once more. A failure past those visits is the mailbox's outcome.
    private bool Park(MailboxTarget target, MailboxOutcome outcome, int parks)
    {
        if (outcome.GetError() is not { Fault: SyncFault.Throttled or SyncFault.Unavailable } error)
        {
            return false;
        }

        var now = _progress.Elapsed;
        if (error.BackOff is { } backOff && backOff > TimeSpan.Zero && parks < _options.MaxBackOffParks)
        {
            var due = now + backOff;
            _sink.Log(InboxLogLevel.Warning,
                $"{target}: {error.Message} Parked until the server's back-off ends ({backOff.TotalSeconds:0.#} s); the other mailboxes go on meanwhile.");
            _parked.Add(target, error.ErrorId, due, afterInput: false, parks + 1);
            ReportParked();
            return true;
        }

        if (parks > 0)
        {
            return false;
        }

        _sink.Log(InboxLogLevel.Warning,
            $"{target}: {error.Message} Trying this mailbox again once the rest of the input is done.");
        _parked.Add(target, error.ErrorId, now + _options.RetryTransientAfter, afterInput: true, parks + 1);
        ReportParked();
        return true;
    }

    private void ReportParked() => _progress.Parked(_parked.Count, _parked.NextDue(inputComplete: true));

    private void Complete(MailboxOutcome outcome)
    {
        _sink.Result(outcome);
        _progress.Completed(outcome);
    }
}
