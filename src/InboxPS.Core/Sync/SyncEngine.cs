using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// Activates and syncs the mailboxes that arrive on a channel, <see cref="SyncOptions.ThrottleLimit"/> at a time, and
/// reports one result per distinct mailbox through the sink as soon as that mailbox is done. Input streams: the first
/// mailbox starts while the rest is still arriving, and only in-flight mailboxes are held in memory.
/// </summary>
public sealed class SyncEngine
{
    private const string ProgressActivity = "Start-InboxSync";
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _organization;
    private readonly ISyncStore _store;
    private readonly IMailboxProtocol _protocol;
    private readonly SyncOptions _options;
    private readonly IInboxSink _sink;
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ParkedMailbox> _parked = new();
    private readonly Stopwatch _clock = new();
    private int _received;
    private int _completed;
    private int _failed;
    private long _throttledTicks;
    private bool _inputComplete;
    private long _lastProgressTicks;
    private InboxException? _organizationError;

    public SyncEngine(string organization, ISyncStore store, IMailboxProtocol protocol, SyncOptions options, IInboxSink sink)
    {
        _organization = organization;
        _store = store;
        _protocol = protocol;
        _options = options;
        _sink = sink;
    }

    /// <summary>Runs until the input is complete and every mailbox has a result.</summary>
    /// <exception cref="InboxException">The organization's connection failed for good (reconnect the service account).</exception>
    public async Task RunAsync(ChannelReader<MailboxInput> input, CancellationToken cancellationToken)
    {
        _clock.Start();
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
        catch (OperationCanceledException) when (_organizationError is not null)
        {
        }

        if (_organizationError is not null)
        {
            throw _organizationError;
        }

        cancellationToken.ThrowIfCancellationRequested();
        ReportProgress(force: true);
    }

    private async Task WorkAsync(ChannelReader<MailboxInput> input, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        while (await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (input.TryRead(out var record))
            {
                Interlocked.Increment(ref _received);
                MailboxTarget target;
                try
                {
                    target = record.Resolve();
                }
                catch (InboxException e)
                {
                    Complete(_options.PreflightOnly
                        ? TestFailed(new ImpersonationTestResult(_organization, record.Describe()), e)
                        : Failed(new MailboxSyncResult(_organization, record.Describe(), SyncStatus.Failed), e, Stopwatch.StartNew()));
                    continue;
                }

                if (!_seen.TryAdd(target.Key, 0))
                {
                    // The same mailbox twice in the input is synced once and reported once.
                    Interlocked.Decrement(ref _received);
                    continue;
                }

                await ProcessOrParkAsync(target, parked: false, stop).ConfigureAwait(false);
            }
        }

        Volatile.Write(ref _inputComplete, true);

        // Every worker that parks a mailbox comes through here afterwards, so no parked mailbox is left behind.
        while (_parked.TryDequeue(out var parked))
        {
            var wait = parked.Due - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            _sink.Log(InboxLogLevel.Verbose, $"{parked.Target}: trying again after {parked.ErrorId}.");
            await ProcessOrParkAsync(parked.Target, parked: true, stop).ConfigureAwait(false);
        }
    }

    private async Task ProcessOrParkAsync(MailboxTarget target, bool parked, CancellationTokenSource stop)
    {
        object result;
        try
        {
            // A parked mailbox was approved on its first visit: -Confirm asks once per mailbox.
            result = await ProcessAsync(target, askApproval: !parked, stop.Token).ConfigureAwait(false);
        }
        catch (InboxException e) when (SyncErrorIds.IsOrganizationWide(e))
        {
            _organizationError ??= e;
            stop.Cancel();
            throw new OperationCanceledException(e.Message, e, stop.Token);
        }

        // A mailbox that failed only because Exchange was busy or unreachable, after every retry of the call,
        // waits until the rest of the input is done instead of holding a worker: a throttling storm has usually
        // passed by then. It is tried once more; a second failure is its result.
        if (!parked && FailureOf(result) is { } error && IsTransient(error))
        {
            _sink.Log(InboxLogLevel.Warning,
                $"{target}: {error.Message} Trying this mailbox again once the rest of the input is done.");
            _parked.Enqueue(new ParkedMailbox(target, error.ErrorId, _clock.Elapsed + _options.RetryTransientAfter));
            return;
        }

        Complete(result);
    }

    private static InboxException? FailureOf(object result) => result switch
    {
        MailboxSyncResult { Status: SyncStatus.Failed } failed => failed.Error,
        ImpersonationTestResult { CanImpersonate: false } failed => failed.Error,
        _ => null,
    };

    // Throttling and network trouble pass within seconds. An unavailable mailbox (a move, a failover) takes minutes:
    // a second visit in the same run would only make the admin wait, so it is left to the next run.
    private static bool IsTransient(InboxException error) =>
        error.Kind is InboxErrorKind.ResourceBusy or InboxErrorKind.OperationTimeout or InboxErrorKind.ConnectionError;

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

    private async Task<object> ProcessAsync(MailboxTarget target, bool askApproval, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        if (askApproval && _options.Approve is { } approve)
        {
            var approval = await approve(target).ConfigureAwait(false);
            if (approval != SyncApproval.Proceed)
            {
                return new MailboxSyncResult(_organization, target.Address,
                    approval == SyncApproval.WhatIf ? SyncStatus.WhatIf : SyncStatus.Skipped)
                {
                    Message = approval == SyncApproval.WhatIf ? "Would check, activate and sync this mailbox." : "Not confirmed; nothing was done.",
                };
            }
        }

        IMailboxSession session;
        try
        {
            session = _protocol.Open(target);
        }
        catch (InboxException e) when (!SyncErrorIds.IsOrganizationWide(e))
        {
            return _options.PreflightOnly
                ? TestFailed(new ImpersonationTestResult(_organization, target.Address), e)
                : Failed(new MailboxSyncResult(_organization, target.Address, SyncStatus.Failed), e, timer);
        }

        if (_options.PreflightOnly)
        {
            return await TestAsync(session, timer, cancellationToken).ConfigureAwait(false);
        }

        var result = new MailboxSyncResult(_organization, target.Address, SyncStatus.Synced);
        try
        {
            _sink.Log(InboxLogLevel.Verbose, $"{target}: checking the mailbox can be impersonated.");
            var inbox = await session.GetWellKnownFolderAsync("inbox", cancellationToken).ConfigureAwait(false);
            result.Activated = _store.Activate(_organization, target);
            await SyncHierarchyAsync(session, cancellationToken).ConfigureAwait(false);
            foreach (var folder in await SelectFoldersAsync(session, inbox, cancellationToken).ConfigureAwait(false))
            {
                await SyncFolderAsync(session, folder, result, cancellationToken).ConfigureAwait(false);
                result.Folders++;
            }

            _store.RecordSuccess(_organization, target.Address);
            _sink.Log(InboxLogLevel.Verbose,
                $"{target}: synced {result.Folders} folder(s), +{result.ItemsAdded} ~{result.ItemsUpdated} -{result.ItemsDeleted}.");
        }
        catch (InboxException e) when (!SyncErrorIds.IsOrganizationWide(e))
        {
            Failed(result, e, timer);
            _store.RecordFailure(_organization, target.Address, e.ErrorId, e.Message, e.RecommendedAction);
        }
        catch (IOException e)
        {
            // MIME export: a full disk or an unwritable -ContentPath fails this user, not the run.
            var error = new InboxException("ContentPathWriteFailed", InboxErrorKind.WriteError,
                $"Could not write the .eml files of {target}: {e.Message}",
                "Check that -ContentPath exists, is writable and has free space, then run Start-InboxSync again for this user.",
                target.Address, e);
            Failed(result, error, timer);
            _store.RecordFailure(_organization, target.Address, error.ErrorId, error.Message, error.RecommendedAction);
        }

        result.Attempts = session.Requests;
        result.ThrottledFor = session.ThrottledFor;
        result.Duration = timer.Elapsed;
        return result;
    }

    private async Task<ImpersonationTestResult> TestAsync(IMailboxSession session, Stopwatch timer, CancellationToken cancellationToken)
    {
        var result = new ImpersonationTestResult(_organization, session.Mailbox.Address);
        try
        {
            await session.GetWellKnownFolderAsync("inbox", cancellationToken).ConfigureAwait(false);
            result.CanImpersonate = true;
        }
        catch (InboxException e) when (!SyncErrorIds.IsOrganizationWide(e))
        {
            TestFailed(result, e);
        }

        result.Duration = timer.Elapsed;
        return result;
    }

    private static ImpersonationTestResult TestFailed(ImpersonationTestResult result, InboxException error)
    {
        result.ErrorId = error.ErrorId;
        result.Message = error.Message;
        result.RecommendedAction = error.RecommendedAction;
        result.Error = error;
        return result;
    }

    private async Task SyncHierarchyAsync(IMailboxSession session, CancellationToken cancellationToken)
    {
        var mailbox = session.Mailbox.Address;
        var state = _store.GetHierarchyState(_organization, mailbox);
        var restarted = false;
        while (true)
        {
            FolderPage page;
            try
            {
                page = await session.SyncFoldersAsync(state, cancellationToken).ConfigureAwait(false);
            }
            catch (InboxException e) when (e.ErrorId == SyncErrorIds.InvalidSyncState && !restarted)
            {
                _sink.Log(InboxLogLevel.Warning, $"{mailbox}: the folder hierarchy's sync state is no longer valid; reading the hierarchy again.");
                state = null;
                restarted = true;
                continue;
            }

            _store.ApplyFolderPage(_organization, mailbox, page);
            state = page.State;
            if (page.IsLast)
            {
                return;
            }
        }
    }

    private async Task<StoredFolder[]> SelectFoldersAsync(IMailboxSession session, MailFolder inbox, CancellationToken cancellationToken)
    {
        var mailbox = session.Mailbox.Address;
        var known = _store.GetFolders(_organization, mailbox);
        if (_options.AllMailFolders)
        {
            foreach (var folder in known)
            {
                if (!folder.Selected && new MailFolder(folder.FolderId, folder.ParentFolderId, folder.DisplayName, folder.FolderClass).HoldsMail)
                {
                    _store.SelectFolder(_organization, mailbox, new MailFolder(folder.FolderId, folder.ParentFolderId, folder.DisplayName, folder.FolderClass), null);
                }
            }
        }

        foreach (var name in _options.Folders)
        {
            if (FindWellKnown(known, name) is null)
            {
                var folder = string.Equals(name, "inbox", StringComparison.OrdinalIgnoreCase)
                    ? inbox
                    : await session.GetWellKnownFolderAsync(name, cancellationToken).ConfigureAwait(false);
                _store.SelectFolder(_organization, mailbox, folder, name.ToLowerInvariant());
            }
        }

        known = _store.GetFolders(_organization, mailbox);
        var selected = new System.Collections.Generic.List<StoredFolder>();
        foreach (var folder in known)
        {
            var wanted = _options.AllMailFolders
                ? folder.Selected
                : folder.WellKnownName is { } wellKnown && Contains(_options.Folders, wellKnown);
            if (wanted)
            {
                selected.Add(folder);
            }
        }

        return selected.ToArray();
    }

    private async Task SyncFolderAsync(IMailboxSession session, StoredFolder folder, MailboxSyncResult result, CancellationToken cancellationToken)
    {
        var mailbox = session.Mailbox.Address;
        var state = folder.SyncState;
        var restarted = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ItemPage page;
            try
            {
                page = await session.SyncItemsAsync(folder.FolderId, state, _options.IncludeMime, cancellationToken).ConfigureAwait(false);
            }
            catch (InboxException e) when (e.ErrorId == SyncErrorIds.InvalidSyncState && !restarted)
            {
                // Start the folder again from nothing; dropping its stored items first means no duplicates and no ghosts.
                _sink.Log(InboxLogLevel.Warning, $"{mailbox}: the sync state of folder '{folder.DisplayName ?? folder.WellKnownName}' is no longer valid; syncing that folder again.");
                _store.ResetFolder(_organization, mailbox, folder.FolderId);
                state = null;
                restarted = true;
                continue;
            }

            var outcome = _store.ApplyItemPage(_organization, mailbox, folder.FolderId, page,
                _options.IncludeMime ? item => WriteMime(mailbox, folder.FolderId, item) : null);
            result.ItemsAdded += outcome.Added;
            result.ItemsUpdated += outcome.Updated;
            result.ItemsDeleted += outcome.Deleted;
            state = page.State;
            if (page.IsLast)
            {
                return;
            }
        }
    }

    /// <summary>Writes one .eml atomically (temp file + move) before its page is committed; a rerun overwrites it.</summary>
    private string? WriteMime(string mailbox, string folderId, MailItem item)
    {
        if (item.Mime is null || _options.ContentPath is null)
        {
            return null;
        }

        var folder = Path.Combine(Path.Combine(_options.ContentPath, SafeName(mailbox)), Hash(folderId));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Hash(item.Id) + ".eml");
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, item.Mime);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        File.Move(temp, path);
        return path;
    }

    private static string SafeName(string mailbox)
    {
        var builder = new StringBuilder(mailbox.Length);
        foreach (var c in mailbox.ToLowerInvariant())
        {
            builder.Append(char.IsLetterOrDigit(c) || c is '@' or '.' or '-' or '_' ? c : '_');
        }

        return builder.ToString();
    }

    // EWS ids hold '/', '+' and '='; a hash gives a stable, path-safe file name.
    private static string Hash(string id)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(id));
        var builder = new StringBuilder(32);
        for (var i = 0; i < 16; i++)
        {
            builder.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static StoredFolder? FindWellKnown(System.Collections.Generic.IReadOnlyList<StoredFolder> folders, string name)
    {
        foreach (var folder in folders)
        {
            if (string.Equals(folder.WellKnownName, name, StringComparison.OrdinalIgnoreCase))
            {
                return folder;
            }
        }

        return null;
    }

    private static bool Contains(System.Collections.Generic.IReadOnlyList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static MailboxSyncResult Failed(MailboxSyncResult result, InboxException error, Stopwatch timer)
    {
        result.Status = SyncStatus.Failed;
        result.ErrorId = error.ErrorId;
        result.Message = error.Message;
        result.RecommendedAction = error.RecommendedAction;
        result.Error = error;
        result.Duration = timer.Elapsed;
        return result;
    }

    private void Complete(object result)
    {
        Interlocked.Increment(ref _completed);
        switch (result)
        {
            case MailboxSyncResult { Status: SyncStatus.Failed } failed:
                Interlocked.Increment(ref _failed);
                Interlocked.Add(ref _throttledTicks, failed.ThrottledFor.Ticks);
                break;
            case MailboxSyncResult synced:
                Interlocked.Add(ref _throttledTicks, synced.ThrottledFor.Ticks);
                break;
            case ImpersonationTestResult { CanImpersonate: false }:
                Interlocked.Increment(ref _failed);
                break;
        }

        _sink.Result(result);
        ReportProgress(force: false);
    }

    private void ReportProgress(bool force)
    {
        var now = _clock.Elapsed.Ticks;
        var last = Interlocked.Read(ref _lastProgressTicks);
        if (!force && now - last < s_progressInterval.Ticks)
        {
            return;
        }

        if (!force && Interlocked.CompareExchange(ref _lastProgressTicks, now, last) != last)
        {
            return;
        }

        var completed = Volatile.Read(ref _completed);
        int? total = Volatile.Read(ref _inputComplete) ? Volatile.Read(ref _received) : null;
        var minutes = Math.Max(_clock.Elapsed.TotalMinutes, 1.0 / 60);
        var throttled = TimeSpan.FromTicks(Interlocked.Read(ref _throttledTicks));
        var status = $"{completed}{(total is { } t ? "/" + t : string.Empty)} mailboxes done, {Volatile.Read(ref _failed)} failed, " +
                     $"{completed / minutes:0.#}/min, throttled {throttled.TotalSeconds:0}s";
        _sink.Progress(new InboxProgress(ProgressActivity, status, completed, total));
    }
}
