using System.Globalization;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>
/// One mailbox of the <see cref="FakeMailboxProtocol"/>: folders whose content can change under the engine, a
/// hierarchy with its own sync states, failures scripted per call, and a hook that runs before every call.
/// </summary>
public sealed class FakeMailbox
{
    private readonly object _gate = new();
    private readonly List<FakeFolder> _folders = new();
    private readonly List<(MailChangeKind Kind, FakeFolder Folder)> _hierarchyLog = new();
    private readonly Dictionary<FakeCall, int> _calls = new();
    private readonly List<ScriptedFailure> _failures = new();
    private int _hierarchyEpoch;
    private int _inFlight;

    public FakeMailbox(string address)
    {
        Address = address;
        Created(new FakeFolder(address + "/root", "msgfolderroot", "Top of Information Store", "IPF"));
        Created(new FakeFolder(address + "/inbox", "inbox", "Inbox"));
        Created(new FakeFolder(address + "/sent", "sentitems", "Sent Items"));
        Created(new FakeFolder(address + "/calendar", "calendar", "Calendar", "IPF.Appointment"));
    }

    public string Address { get; }

    /// <summary>Changes per page, for folders and items alike.</summary>
    public int PageSize { get; set; } = 10;

    /// <summary>
    /// Sessions list a page of item changes (a SyncItems call) before its items are read (a ReadItems call), as EWS
    /// does, so the engine lists the next page while this one is read; otherwise one SyncItems call brings a whole page.
    /// </summary>
    public bool ListsChangesFirst { get; set; }

    public FakeFolder Inbox => Folder("inbox");

    public FakeFolder SentItems => Folder("sentitems");

    public IReadOnlyList<FakeFolder> Folders
    {
        get
        {
            lock (_gate)
            {
                return _folders.ToArray();
            }
        }
    }

    /// <summary>Runs before each call with the call and how many of its kind were made, this one included.</summary>
    public Action<FakeCall, int>? BeforeCall { get; set; }

    /// <summary>Runs after <see cref="BeforeCall"/> with the token the engine gave the call (None for Open).</summary>
    public Action<FakeCall, CancellationToken>? HoldCall { get; set; }

    /// <summary>More than one call at once for this mailbox (the engine promises one worker per mailbox).</summary>
    public bool SawConcurrentCalls { get; private set; }

    public FakeFolder Folder(string wellKnownName) => Folders.Single(f => f.WellKnownName == wellKnownName);

    public FakeFolder AddFolder(string displayName, string folderClass = "IPF.Note")
    {
        lock (_gate)
        {
            return Created(new FakeFolder($"{Address}/folder-{_hierarchyLog.Count.ToString(CultureInfo.InvariantCulture)}", null, displayName, folderClass));
        }
    }

    /// <summary>
    /// The folder is deleted: syncing its items fails with FolderNotFound, a full hierarchy read no longer lists it, and
    /// (when <paramref name="announced"/>) an incremental hierarchy read reports it gone.
    /// </summary>
    public void DeleteFolder(FakeFolder folder, bool announced = true)
    {
        lock (_gate)
        {
            _folders.Remove(folder);
            if (announced)
            {
                _hierarchyLog.Add((MailChangeKind.Delete, folder));
            }
        }
    }

    /// <summary>The next <paramref name="times"/> calls of a kind fail with <paramref name="error"/>.</summary>
    public void Fail(FakeCall call, InboxException error, int times = 1)
    {
        lock (_gate)
        {
            _failures.Add(new ScriptedFailure(call, error, times));
        }
    }

    public void FailAlways(FakeCall call, InboxException error) => Fail(call, error, int.MaxValue);

    /// <summary>The server forgets the hierarchy's sync states.</summary>
    public void InvalidateHierarchyStates()
    {
        lock (_gate)
        {
            _hierarchyEpoch++;
        }
    }

    public int Calls(FakeCall call)
    {
        lock (_gate)
        {
            return _calls.TryGetValue(call, out var count) ? count : 0;
        }
    }

    /// <summary>Counts the call, runs the hook, throws a scripted failure if one is due; dispose when the call ends.</summary>
    internal IDisposable Enter(FakeCall call, CancellationToken cancellationToken)
    {
        int count;
        lock (_gate)
        {
            _calls[call] = count = Calls(call) + 1;
        }

        BeforeCall?.Invoke(call, count);
        HoldCall?.Invoke(call, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Increment(ref _inFlight) > 1)
        {
            SawConcurrentCalls = true;
        }

        var exit = new CallExit(this);
        lock (_gate)
        {
            var due = _failures.FirstOrDefault(f => f.Call == call && f.Remaining > 0);
            if (due is not null)
            {
                due.Remaining--;
                exit.Dispose();
                throw due.Error;
            }
        }

        return exit;
    }

    internal FolderPage HierarchyPage(string? state)
    {
        lock (_gate)
        {
            if (state is null)
            {
                // A full read lists the folders there are now, as a server does, not the history of the hierarchy.
                var now = _folders.Select(f => new FolderChange(MailChangeKind.Upsert, f.Id, f.ToMailFolder())).ToArray();
                return new FolderPage(string.Create(CultureInfo.InvariantCulture, $"{_hierarchyEpoch}:{_hierarchyLog.Count}"), true, now);
            }

            var parts = state.Split(':');
            if (int.Parse(parts[0], CultureInfo.InvariantCulture) != _hierarchyEpoch)
            {
                throw Faults.InvalidSyncState($"the folder hierarchy of {Address}");
            }

            var position = int.Parse(parts[1], CultureInfo.InvariantCulture);

            var end = Math.Min(_hierarchyLog.Count, position + PageSize);
            var changes = _hierarchyLog.Skip(position).Take(end - position)
                .Select(c => new FolderChange(c.Kind, c.Folder.Id, c.Kind == MailChangeKind.Delete ? null : c.Folder.ToMailFolder())).ToArray();
            return new FolderPage(string.Create(CultureInfo.InvariantCulture, $"{_hierarchyEpoch}:{end}"), end == _hierarchyLog.Count, changes);
        }
    }

    private FakeFolder Created(FakeFolder folder)
    {
        _folders.Add(folder);
        _hierarchyLog.Add((MailChangeKind.Upsert, folder));
        return folder;
    }

    private sealed class ScriptedFailure
    {
        public ScriptedFailure(FakeCall call, InboxException error, int remaining)
        {
            Call = call;
            Error = error;
            Remaining = remaining;
        }

        public FakeCall Call { get; }
        public InboxException Error { get; }
        public int Remaining { get; set; }
    }

    private sealed class CallExit : IDisposable
    {
        private FakeMailbox? _mailbox;

        public CallExit(FakeMailbox mailbox) => _mailbox = mailbox;

        public void Dispose()
        {
            if (_mailbox is not null)
            {
                Interlocked.Decrement(ref _mailbox._inFlight);
                _mailbox = null;
            }
        }
    }
}
