using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// Start-InboxSync's work on one mailbox: approval, preflight, activation, the folder hierarchy, the folder selection and
/// the item pages of each selected folder, every page stored with its sync state so a killed run resumes after it.
/// </summary>
public sealed class MailboxSynchronizer : IMailboxJob
{
    private readonly string _organization;
    private readonly ISyncStore _store;
    private readonly IMailboxProtocol _protocol;
    private readonly SyncOptions _options;
    private readonly IInboxSink _sink;
    private readonly MimeExporter? _exporter;

    // Mailbox id => the input that synced it in this run: the same mailbox named twice (UPN and SMTP) is synced once.
    private readonly ConcurrentDictionary<string, string> _syncedInRun = new(StringComparer.Ordinal);

    public MailboxSynchronizer(string organization, ISyncStore store, IMailboxProtocol protocol, SyncOptions options, IInboxSink sink)
    {
        _organization = organization;
        _store = store;
        _protocol = protocol;
        _options = options;
        _sink = sink;
        _exporter = options.IncludeMime && options.ContentPath is { } contentPath ? new MimeExporter(contentPath) : null;
    }

    public MailboxOutcome Unresolvable(string record, InboxException error)
    {
        var result = new MailboxSyncResult(_organization, record, SyncStatus.Failed);
        result.Fail(error, TimeSpan.Zero);
        return result;
    }

    public async Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();

        // A parked mailbox was approved on its first visit: -Confirm asks once per mailbox.
        if (!revisit && _options.Approve is { } approve)
        {
            var approval = await approve(mailbox).ConfigureAwait(false);
            if (approval != SyncApproval.Proceed)
            {
                var whatIf = approval == SyncApproval.WhatIf;
                return new MailboxSyncResult(_organization, mailbox.Address, whatIf ? SyncStatus.WhatIf : SyncStatus.Skipped)
                {
                    Message = whatIf ? "Would check, activate and sync this mailbox." : "Not confirmed; nothing was done.",
                };
            }
        }

        var result = new MailboxSyncResult(_organization, mailbox.Address, SyncStatus.Synced);
        IMailboxSession session;
        try
        {
            session = _protocol.Open(mailbox);
        }
        catch (Exception e) when (MailboxFailure.IsMailboxFailure(e, cancellationToken))
        {
            result.Fail(MailboxFailure.From(e, mailbox.Address), timer.Elapsed);
            return result;
        }

        var stored = mailbox;
        try
        {
            _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: checking the mailbox can be impersonated.");
            // The folders chosen for the name given: the stored entry's choice is known only after the preflight.
            var named = ChooseFolders(mailbox.Address);
            var wellKnown = await PreflightAsync(session, named, cancellationToken).ConfigureAwait(false);
            var inbox = wellKnown["inbox"];
            stored = Identify(mailbox, inbox);
            var first = _syncedInRun.GetOrAdd(inbox.Id, mailbox.Key);
            if (first != mailbox.Key)
            {
                result.Status = SyncStatus.Skipped;
                result.Message = $"The same mailbox as '{first}' in this run; it is synced once, as '{stored}'.";
                return result;
            }

            // Read again only when the roster knows the mailbox under another address, whose entry has a choice of its own.
            var choice = string.Equals(stored.Address, mailbox.Address, StringComparison.Ordinal) ? named : ChooseFolders(stored.Address);
            result.Activated = _store.Activate(_organization, stored, choice);
            var toRebaseline = _store.CountItemsToRebaseline(_organization, stored.Address);
            if (choice.AllMailFolders)
            {
                // Well-known folders are found by name (the preflight read them): only every mail folder needs the
                // hierarchy. A choice narrowed from it leaves the hierarchy's state and known folders as they were; the
                // next -AllMailFolders run goes on from that state.
                await SyncHierarchyAsync(session, stored.Address, cancellationToken).ConfigureAwait(false);
            }

            var folders = await SelectFoldersAsync(session, stored.Address, wellKnown, choice, cancellationToken).ConfigureAwait(false);
            await SyncFoldersAsync(session, stored.Address, folders, result, cancellationToken).ConfigureAwait(false);

            if (toRebaseline > 0)
            {
                FinishRebaseline(stored, toRebaseline, result);
            }

            _store.RecordSuccess(_organization, stored.Address);
            _sink.Log(InboxLogLevel.Verbose,
                $"{mailbox}: synced {result.Folders} folder(s), +{result.ItemsAdded} ~{result.ItemsUpdated} -{result.ItemsDeleted}.");
        }
        catch (Exception e) when (MailboxFailure.IsMailboxFailure(e, cancellationToken))
        {
            var error = MailboxFailure.From(e, mailbox.Address);
            result.Fail(error, timer.Elapsed);
            if (error.Fault != SyncFault.ClaimLost)
            {
                // A mailbox taken over by another worker is not this user's failure, and no longer this worker's to record.
                RecordFailure(stored, error);
            }
        }

        result.Attempts = session.Requests;
        result.ThrottledFor = session.ThrottledFor;
        result.Duration = timer.Elapsed;
        return result;
    }

    /// <summary>
    /// The mailbox as the roster knows it: the server's id for it (its inbox's id) finds the entry whichever of its
    /// addresses (primary SMTP, UPN, an alias, a former primary address) named it before; else it is stored as named.
    /// </summary>
    private MailboxTarget Identify(MailboxTarget mailbox, MailFolder inbox)
    {
        var entry = _store.FindMailbox(_organization, inbox.Id);
        if (entry is null || string.Equals(entry.Mailbox, mailbox.Address, StringComparison.OrdinalIgnoreCase))
        {
            return new MailboxTarget(mailbox.Address, mailbox.Kind, inbox.Id);
        }

        _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: the same mailbox as '{entry.Mailbox}' on the roster; synced as that entry.");
        return new MailboxTarget(entry.Mailbox, entry.AddressKind, inbox.Id);
    }

    // Every selected folder was read whole (a switch of access type dropped their states) and matched what it could of
    // the kept items: what is left of them is no longer on the server. Only a run that got this far removes them.
    private void FinishRebaseline(MailboxTarget mailbox, int kept, MailboxSyncResult result)
    {
        var removed = _store.FinishRebaseline(_organization, mailbox.Address);
        result.ItemsDeleted += removed;
        result.Rebaselined = true;
        result.Message ??= $"Re-baselined after the switch of access type: {kept - removed} stored item(s) matched and kept, {removed} no longer on the server removed.";
        _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: {result.Message}");
    }

    // The failure is the user's result whether or not the roster takes it; only a store that cannot be written at all
    // (StoreFailed) goes on to stop the run.
    private void RecordFailure(MailboxTarget mailbox, InboxException error)
    {
        try
        {
            _store.RecordFailure(_organization, mailbox.Address, error.ErrorId, error.Message, error.RecommendedAction);
        }
        catch (InboxException e) when (!MailboxFailure.StopsRun(e))
        {
            _sink.Log(InboxLogLevel.Warning, $"{mailbox}: the failure could not be recorded on the roster: {e.Message}");
        }
    }

    // A big mailbox's folders side by side where the session allows it (Graph: up to its per-mailbox limit), each folder
    // one request at a time; the result's counters and the hierarchy re-read after a vanished folder are shared.
    private async Task SyncFoldersAsync(IMailboxSession session, string mailbox, StoredFolder[] folders, MailboxSyncResult result, CancellationToken cancellationToken)
    {
        var pending = new List<(StoredFolder Folder, string? ContinueFrom)>(folders.Length);
        var synced = await SyncFirstPagesTogetherAsync(session, mailbox, folders, result, pending, cancellationToken).ConfigureAwait(false);

        var parallel = Math.Min(pending.Count, session is IConcurrentFolders concurrent ? Math.Max(1, concurrent.FolderParallelism) : 1);
        using var hierarchy = new SemaphoreSlim(1, 1);
        var next = -1;
        async Task WorkAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < pending.Count)
            {
                if (await SyncFolderAsync(session, mailbox, pending[index].Folder, result, hierarchy, cancellationToken, pending[index].ContinueFrom).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref synced);
                }
            }
        }

        var workers = new Task[Math.Max(parallel, 1)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = WorkAsync();
        }

        // A failing folder fails the mailbox once the others finished theirs (what they stored is kept either way).
        await Task.WhenAll(workers).ConfigureAwait(false);
        result.Folders += synced;
    }

    // The first page of every folder comes together where the session offers it, for fewer calls than one folder after
    // another (EWS: one GetItem for the new items of all); each page is still stored with its own state in its own
    // transaction, and items skipped by an earlier run are read again first, as for a folder alone. Returns how many
    // folders that finished; the rest go to pending with the state they go on from.
    private async Task<int> SyncFirstPagesTogetherAsync(IMailboxSession session, string mailbox, StoredFolder[] folders,
        MailboxSyncResult result, List<(StoredFolder Folder, string? ContinueFrom)> pending, CancellationToken cancellationToken)
    {
        if (session is not IFirstPagesReader together || folders.Length < 2)
        {
            // One folder alone saves no call.
            foreach (var folder in folders)
            {
                pending.Add((folder, null));
            }

            return 0;
        }

        var starts = new FolderStart[folders.Length];
        for (var i = 0; i < folders.Length; i++)
        {
            if (folders[i].SyncState is { } state && session is IItemReader reader)
            {
                await RetrySkippedAsync(reader, mailbox, folders[i], state, result, cancellationToken).ConfigureAwait(false);
            }

            starts[i] = new FolderStart(folders[i].FolderId, folders[i].SyncState);
        }

        var pages = await together.SyncFirstPagesAsync(starts, _exporter is not null, cancellationToken).ConfigureAwait(false);
        var finished = 0;
        for (var i = 0; i < folders.Length; i++)
        {
            if (pages[i] is not { } page)
            {
                // Refused alone (state no longer valid, folder gone): synced by itself from where it was, which handles why.
                pending.Add((folders[i], folders[i].SyncState));
                continue;
            }

            await ApplyPageAsync(session, mailbox, folders[i], page, result, cancellationToken).ConfigureAwait(false);
            if (page.IsLast)
            {
                finished++;
            }
            else
            {
                pending.Add((folders[i], page.State));
            }
        }

        return finished;
    }

    private async Task SyncHierarchyAsync(IMailboxSession session, string mailbox, CancellationToken cancellationToken)
    {
        var state = _store.GetHierarchyState(_organization, mailbox);
        var restarted = false;

        // A full read (no state) lists every folder there is: what the store has beyond it is gone from the server.
        var listed = state is null ? new HashSet<string>(StringComparer.Ordinal) : null;
        while (true)
        {
            FolderPage page;
            try
            {
                page = await session.SyncFoldersAsync(state, cancellationToken).ConfigureAwait(false);
            }
            catch (InboxException e) when (e.Fault == SyncFault.InvalidSyncState && !restarted)
            {
                _sink.Log(InboxLogLevel.Warning, $"{mailbox}: the folder hierarchy's sync state is no longer valid; reading the hierarchy again.");
                state = null;
                restarted = true;
                listed = new HashSet<string>(StringComparer.Ordinal);
                continue;
            }

            _store.ApplyFolderPage(_organization, mailbox, page);
            foreach (var change in page.Changes)
            {
                listed?.Add(change.FolderId);
            }

            state = page.State;
            if (page.IsLast)
            {
                if (listed is not null)
                {
                    ForgetUnlisted(mailbox, listed);
                }

                return;
            }
        }
    }

    // Well-known folders are found by name, not through the hierarchy (some live outside it), and never deleted.
    private void ForgetUnlisted(string mailbox, HashSet<string> listed)
    {
        var gone = new List<string>();
        foreach (var folder in _store.GetFolders(_organization, mailbox))
        {
            if (folder.WellKnownName is null && !listed.Contains(folder.FolderId))
            {
                gone.Add(folder.FolderId);
            }
        }

        if (gone.Count > 0)
        {
            _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: {gone.Count} folder(s) no longer on the server were removed from the store.");
            _store.ForgetFolders(_organization, mailbox, gone);
        }
    }

    /// <summary>The folders given on the command, or, when it named none, the ones chosen for the user before.</summary>
    private FolderChoice ChooseFolders(string mailbox) =>
        _options.KeepChosenFolders && _store.GetRosterEntry(_organization, mailbox)?.FolderChoice is { } chosen
            ? chosen
            : _options.GivenFolders;

    // Reads the inbox (the preflight) and, where the session reads several folders in one request, the chosen
    // well-known folders the store does not know yet: one call instead of one per folder.
    private async Task<Dictionary<string, MailFolder>> PreflightAsync(IMailboxSession session, FolderChoice choice,
        CancellationToken cancellationToken)
    {
        var read = new Dictionary<string, MailFolder>(StringComparer.OrdinalIgnoreCase);
        if (session is not IWellKnownFoldersReader reader)
        {
            read["inbox"] = await MailboxPreflight.CheckAsync(session, cancellationToken).ConfigureAwait(false);
            return read;
        }

        var known = _store.GetFolders(_organization, session.Mailbox.Address);
        var names = new List<string> { "inbox" };
        foreach (var name in choice.WellKnownFolders)
        {
            if (!Contains(names, name) && FindWellKnown(known, name) is null)
            {
                names.Add(name);
            }
        }

        var folders = await reader.GetWellKnownFoldersAsync(names, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            read[names[i]] = folders[i];
        }

        return read;
    }

    private async Task<StoredFolder[]> SelectFoldersAsync(IMailboxSession session, string mailbox,
        IReadOnlyDictionary<string, MailFolder> wellKnown, FolderChoice choice, CancellationToken cancellationToken)
    {
        var known = _store.GetFolders(_organization, mailbox);
        if (choice.AllMailFolders)
        {
            foreach (var stored in known)
            {
                var folder = new MailFolder(stored.FolderId, stored.ParentFolderId, stored.DisplayName, stored.FolderClass);
                if (!stored.Selected && folder.HoldsMail)
                {
                    _store.SelectFolder(_organization, mailbox, folder, null);
                }
            }
        }

        foreach (var name in choice.WellKnownFolders)
        {
            var stored = FindWellKnown(known, name);
            if (stored is null)
            {
                var folder = wellKnown.TryGetValue(name, out var read)
                    ? read
                    : await session.GetWellKnownFolderAsync(name, cancellationToken).ConfigureAwait(false);
                _store.SelectFolder(_organization, mailbox, folder, name.ToLowerInvariant());
            }
            else if (!stored.Selected)
            {
                // Chosen again after a narrower choice dropped it.
                _store.SelectFolder(_organization, mailbox, new MailFolder(stored.FolderId, stored.ParentFolderId, stored.DisplayName, stored.FolderClass), stored.WellKnownName);
            }
        }

        var selected = new List<StoredFolder>();
        foreach (var folder in _store.GetFolders(_organization, mailbox))
        {
            var wanted = choice.AllMailFolders
                ? folder.Selected
                : folder.WellKnownName is { } name && Contains(choice.WellKnownFolders, name);
            if (wanted)
            {
                selected.Add(folder);
            }
            else if (folder.Selected)
            {
                // The new choice replaces the old: a folder no longer chosen is not synced, and its items leave the store.
                _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: folder '{folder.DisplayName ?? folder.WellKnownName}' is no longer chosen; its stored items were removed.");
                _store.DeselectFolder(_organization, mailbox, folder.FolderId);
            }
        }

        return selected.ToArray();
    }

    /// <param name="continueFrom">The state to go on from when this run already read the folder's skipped items (with its
    /// first page, together with other folders'): they are not read again before the next run. Null: from the stored state.</param>
    /// <returns>False when the folder turned out to be gone (deleted or moved since the hierarchy was read).</returns>
    private async Task<bool> SyncFolderAsync(IMailboxSession session, string mailbox, StoredFolder folder, MailboxSyncResult result, SemaphoreSlim hierarchy,
        CancellationToken cancellationToken, string? continueFrom = null)
    {
        var state = continueFrom ?? folder.SyncState;
        if (continueFrom is null && state is not null && session is IItemReader reader)
        {
            await RetrySkippedAsync(reader, mailbox, folder, state, result, cancellationToken).ConfigureAwait(false);
        }

        // The next pages are asked for while each one is read and stored; they are stored one by one, in order.
        var pages = new ItemPagePrefetch(session, folder.FolderId, state, _exporter is not null, cancellationToken);
        try
        {
            return await StorePagesAsync(session, mailbox, folder, pages, result, hierarchy, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await pages.StopAsync().ConfigureAwait(false);
        }
    }

    /// <returns>False when the folder turned out to be gone.</returns>
    private async Task<bool> StorePagesAsync(IMailboxSession session, string mailbox, StoredFolder folder, ItemPagePrefetch pages,
        MailboxSyncResult result, SemaphoreSlim hierarchy, CancellationToken cancellationToken)
    {
        var restarted = false;
        while (true)
        {
            ItemPage page;
            try
            {
                page = await pages.NextAsync().ConfigureAwait(false);
            }
            catch (InboxException e) when (e.Fault == SyncFault.InvalidSyncState && !restarted)
            {
                // Start the folder again from nothing; dropping its stored items first means no duplicates and no ghosts.
                _sink.Log(InboxLogLevel.Warning, $"{mailbox}: the sync state of folder '{folder.DisplayName ?? folder.WellKnownName}' is no longer valid; syncing that folder again.");
                _store.ResetFolder(_organization, mailbox, folder.FolderId);
                await pages.RestartAsync(null).ConfigureAwait(false);
                restarted = true;
                continue;
            }
            catch (InboxException e) when (e.Fault == SyncFault.FolderNotFound)
            {
                // Deleted or moved since the hierarchy was read: the folder (and its items) leaves the store whether or
                // not the hierarchy reports it, and reading the hierarchy again brings a moved folder under its new id.
                _sink.Log(InboxLogLevel.Warning, $"{mailbox}: folder '{folder.DisplayName ?? folder.WellKnownName}' no longer exists; reading the folder hierarchy again.");
                _store.ForgetFolders(_organization, mailbox, new[] { folder.FolderId });
                await hierarchy.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await SyncHierarchyAsync(session, mailbox, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    hierarchy.Release();
                }

                return false;
            }

            await ApplyPageAsync(session, mailbox, folder, page, result, cancellationToken).ConfigureAwait(false);
            if (page.IsLast)
            {
                return true;
            }
        }
    }

    // Items skipped on an earlier run are read again first: the error may have been transient. The folder's state stays.
    private async Task RetrySkippedAsync(IItemReader reader, string mailbox, StoredFolder folder, string state,
        MailboxSyncResult result, CancellationToken cancellationToken)
    {
        var skipped = _store.GetSkippedItems(_organization, mailbox, folder.FolderId);
        if (skipped.Count == 0)
        {
            return;
        }

        var ids = new string[skipped.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = skipped[i].ItemId;
        }

        _sink.Log(InboxLogLevel.Verbose, $"{mailbox}: reading {ids.Length} item(s) skipped by an earlier run again.");
        await ReadAndApplyAsync(reader, mailbox, folder, state, ids, result, cancellationToken).ConfigureAwait(false);
    }

    // A page of the folder's changes, stored with its state; changes of items not stored yet that carried only some
    // properties are then read whole, whichever way the page came.
    private async Task ApplyPageAsync(IMailboxSession session, string mailbox, StoredFolder folder, ItemPage page, MailboxSyncResult result,
        CancellationToken cancellationToken)
    {
        var applied = Apply(mailbox, folder, page, result);
        if (applied.ToReadWhole.Count > 0 && session is IItemReader whole)
        {
            await ReadAndApplyAsync(whole, mailbox, folder, page.State, applied.ToReadWhole, result, cancellationToken).ConfigureAwait(false);
        }
    }

    // Reads the items whole and applies them under the folder's current state, which stays.
    private async Task ReadAndApplyAsync(IItemReader reader, string mailbox, StoredFolder folder, string state, IReadOnlyList<string> ids,
        MailboxSyncResult result, CancellationToken cancellationToken)
    {
        var read = await reader.ReadItemsAsync(folder.FolderId, ids, _exporter is not null, cancellationToken).ConfigureAwait(false);
        Apply(mailbox, folder, new ItemPage(state, true, read.Upserts, read.Deletes, read.ReadFlags, read.Skipped), result);
    }

    private ItemPageOutcome Apply(string mailbox, StoredFolder folder, ItemPage page, MailboxSyncResult result)
    {
        // The .eml files are on disk before the page (and its state) is committed, and written outside the store's
        // lock: a slow disk holds up this mailbox only.
        var mimePaths = _exporter?.Export(mailbox, folder, page.Upserts);
        var applied = _store.ApplyItemPage(_organization, mailbox, folder.FolderId, page, mimePaths);
        lock (result)
        {
            // Folders of one mailbox may be synced side by side.
            result.ItemsAdded += applied.Added;
            result.ItemsUpdated += applied.Updated;
            result.ItemsDeleted += applied.Deleted;
            result.ItemsSkipped += applied.Skipped;
            foreach (var item in page.Skipped)
            {
                // One bad item never blocks its folder: the state advances past it and a later run reads it again.
                _sink.Log(InboxLogLevel.Warning,
                    $"{mailbox}: an item of folder '{folder.DisplayName ?? folder.WellKnownName}' was skipped ({item.ErrorId}): {item.Reason} It is read again on the next run.");
                result.Message ??= $"Some items could not be read and were skipped ({item.ErrorId}: {item.Reason}); they are read again on the next run (Get-InboxSyncStatus shows how many).";
            }
        }

        return applied;
    }

    private static StoredFolder? FindWellKnown(IReadOnlyList<StoredFolder> folders, string name)
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

    private static bool Contains(IReadOnlyList<string> names, string name)
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
}
