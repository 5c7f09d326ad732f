using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Graph;
using InboxPS.Simulator.Identity;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator;

/// <summary>
/// Everything a test or benchmark can do to the running simulator, in-process (the HTTP control API under ControlUrl
/// maps onto these same methods). Mailboxes are named by primary SMTP address, alias, UPN or SID; folders by
/// distinguished name ("inbox"), EWS folder id, or display name; items by EWS item id.
/// </summary>
public sealed class SimulatorControl
{
    private readonly TenantStore _store;
    private readonly TenantChanges _changes;
    private readonly IdentityState _identity;
    private readonly ImpersonationRights _rights;
    private readonly Throttling _throttling;
    private readonly FaultInjector _faults;
    private readonly MetricsRecorder _metrics;
    private readonly EwsAuthenticator _authenticator;
    private readonly GraphServices _graph;
    private readonly ServiceTimeModel _serviceTime;
    private CancellationTokenSource? _capacitySchedule;

    internal SimulatorControl(TenantStore store, TenantChanges changes, IdentityState identity, ImpersonationRights rights, Throttling throttling,
        FaultInjector faults, MetricsRecorder metrics, EwsAuthenticator authenticator, GraphServices graph)
    {
        _serviceTime = graph.ServiceTime;
        _graph = graph;
        _store = store;
        _changes = changes;
        _identity = identity;
        _rights = rights;
        _throttling = throttling;
        _faults = faults;
        _metrics = metrics;
        _authenticator = authenticator;
    }

    /// <summary>What the server saw since start or the last reset.</summary>
    public SimulatorMetrics Metrics => _metrics.Snapshot(_throttling, _store.Directory.PrimarySmtp, _store.MaterialisedMailboxes,
        _graph.Metrics.Snapshot(_graph.Throttling, _store.Directory.PrimarySmtp));

    /// <summary>Starts a new measuring period (counters, peaks and the elapsed clock), for both protocols.</summary>
    public void ResetMetrics()
    {
        _metrics.Reset();
        _throttling.ResetPeaks();
        _graph.Metrics.Reset();
        _graph.Throttling.ResetPeaks();
    }

    /// <summary>The tenant's users in order: user0001.. then the broken users; the service account is not listed.</summary>
    public IReadOnlyList<SimulatedUser> ListUsers(int skip = 0, int take = int.MaxValue) =>
        Enumerable.Range(1, _store.Directory.LastIndex).Skip(skip).Take(take).Select(i => Describe(_store.Directory.Get(i))).ToList();

    public SimulatedUser GetUser(string mailbox) => Describe(User(mailbox));

    /// <summary>The mailbox's folders (all of them, root and msgfolderroot included) with their counts.</summary>
    public IReadOnlyList<FolderSnapshot> GetFolders(string mailbox)
    {
        var index = MailboxIndex(mailbox);
        return _store.Read(index, data => data.Folders.Where(f => !f.IsDeleted).Select(f => Snapshot(index, data, f)).ToList());
    }

    /// <summary>Ground truth: the items of a folder right now, newest first.</summary>
    public IReadOnlyList<ItemSnapshot> GetItems(string mailbox, string folder = "inbox")
    {
        var index = MailboxIndex(mailbox);
        return _store.Read(index, data =>
        {
            var f = Folder(data, index, folder);
            var folderId = _store.Ids.FolderId(index, f.Index);
            return f.LiveNumbersNewestFirst().Select(n => _store.Resolve(index, f, n)).Select(m => new ItemSnapshot(
                _store.Ids.ItemId(m.Key), _store.Ids.ItemChangeKey(m.Key, m.Version), folderId, m.Subject, m.IsRead, m.InternetMessageId)).ToList();
        });
    }

    /// <summary>Creates, updates, deletes and flips the read flag of items (distinct existing ones, picked from the seed).</summary>
    public ChangeSet InjectChanges(string mailbox, string folder = "inbox", int creates = 0, int updates = 0, int deletes = 0, int readFlagChanges = 0)
    {
        if (creates < 0 || updates < 0 || deletes < 0 || readFlagChanges < 0)
        {
            throw new ArgumentException("Change counts cannot be negative.");
        }

        var index = MailboxIndex(mailbox);
        var batch = _changes.Inject(index, FolderIndex(index, folder), creates, updates, deletes, readFlagChanges);
        List<string> Ids(IReadOnlyList<ItemKey> keys) => keys.Select(_store.Ids.ItemId).ToList();
        return new ChangeSet(Ids(batch.Created), Ids(batch.Updated), Ids(batch.Deleted), Ids(batch.ReadFlagChanged));
    }

    /// <summary>Delivers a new (unread) message; returns its item id.</summary>
    public string CreateItem(string mailbox, string folder = "inbox", string? subject = null)
    {
        var index = MailboxIndex(mailbox);
        return _store.Ids.ItemId(_changes.CreateItem(index, FolderIndex(index, folder), subject));
    }

    /// <summary>Edits an item (new change key; the subject shows the edit unless one is given). False if it does not exist.</summary>
    public bool UpdateItem(string itemId, string? subject = null) => _changes.UpdateItem(ItemKey(itemId), subject);

    /// <summary>Flags an item for follow-up: a new change key and nothing else that sync selects. False if it does not exist.</summary>
    public bool FlagItem(string itemId) => _changes.FlagItem(ItemKey(itemId));

    public bool SetReadFlag(string itemId, bool isRead) => _changes.SetReadFlag(ItemKey(itemId), isRead);

    public bool DeleteItem(string itemId) => _changes.DeleteItem(ItemKey(itemId));

    /// <summary>Creates a mail folder under <paramref name="parentFolder"/>; returns its folder id.</summary>
    public string CreateFolder(string mailbox, string displayName, string parentFolder = "inbox")
    {
        var index = MailboxIndex(mailbox);
        return _store.Ids.FolderId(index, _changes.CreateFolder(index, FolderIndex(index, parentFolder), displayName));
    }

    public void RenameFolder(string mailbox, string folder, string displayName)
    {
        var index = MailboxIndex(mailbox);
        _changes.RenameFolder(index, FolderIndex(index, folder), displayName);
    }

    /// <summary>Deletes a (non-distinguished) folder and its subfolders: later syncs of it get ErrorSyncFolderNotFound.</summary>
    public void DeleteFolder(string mailbox, string folder)
    {
        var index = MailboxIndex(mailbox);
        _changes.DeleteFolder(index, FolderIndex(index, folder));
    }

    /// <summary>GetItem answers <paramref name="responseCode"/> for this item until <see cref="HealItem"/> (issue 17).</summary>
    public void BreakItem(string itemId, string responseCode = "ErrorItemCorrupt") => _store.SetUnreadable(itemId, responseCode);

    public void HealItem(string itemId) => _store.SetUnreadable(itemId, null);

    /// <summary>Ground truth: the item's message (RFC 5322 bytes), as EWS MimeContent and Graph $value give it.</summary>
    public byte[] GetItemMime(string itemId)
    {
        var key = ItemKey(itemId);
        return _store.Read(key.Mailbox, data => Ews.MimeBuilder.Build(_store.Resolve(key.Mailbox,
            data.Folder(key.Folder) ?? throw new ArgumentException("The item's folder is gone."), key.Number)));
    }

    /// <summary>
    /// Makes sync states invalid (ErrorInvalidSyncStateData): every state in the tenant when <paramref name="mailbox"/>
    /// is null, else the mailbox's (items and hierarchy), or one folder's.
    /// </summary>
    public void InvalidateSyncStates(string? mailbox = null, string? folder = null)
    {
        if (mailbox is null)
        {
            _store.InvalidateAllSyncStates();
            return;
        }

        var index = MailboxIndex(mailbox);
        _changes.InvalidateSyncStates(index, folder is null ? null : FolderIndex(index, folder));
    }

    /// <summary>
    /// Sets who <paramref name="principal"/> may impersonate. The principal is an app's client id (app-only tokens,
    /// including the managed identity's) or a user (delegated tokens and Basic): the service account by default.
    /// </summary>
    public void SetImpersonationRights(string principal, ImpersonationScope scope, IEnumerable<string>? mailboxes = null)
    {
        var key = _store.Directory.Find(principal) is { } user ? ImpersonationRights.UserKey(user.Index) : principal;
        _rights.Set(key, scope, mailboxes?.Select(MailboxIndex));
    }

    /// <summary>Grants or removes full_access_as_app: tokens issued afterwards carry the role or not (401 at EWS without it).</summary>
    public void SetAppPermission(string clientId, bool granted) => _identity.SetAppPermission(clientId, granted);

    /// <summary>Every token the identity endpoint issued and client assertion it received since the start.</summary>
    public IssuedSecretsSnapshot IssuedSecrets => _identity.Issued.Snapshot();

    public void SetMailboxState(string mailbox, MailboxStateChange change)
    {
        var flags = _store.Flags(MailboxIndex(mailbox));
        flags.HasMailbox = change.HasMailbox ?? flags.HasMailbox;
        flags.Licensed = change.Licensed ?? flags.Licensed;
        flags.MoveInProgress = change.MoveInProgress ?? flags.MoveInProgress;
        flags.EwsEnabled = change.EwsEnabled ?? flags.EwsEnabled;
        flags.OutsideDefaultScope = change.OutsideDefaultScope ?? flags.OutsideDefaultScope;
    }

    /// <summary>
    /// The next <paramref name="busyCalls"/> calls to the mailbox get ErrorServerBusy (fault, HTTP 500; Graph: 429) with
    /// <paramref name="backOff"/> as BackOffMilliseconds / Retry-After (the server's BackOff / RetryAfter when null).
    /// </summary>
    public void ThrottleMailbox(string mailbox, int busyCalls, TimeSpan? backOff = null)
    {
        var flags = _store.Flags(MailboxIndex(mailbox));
        flags.BusyBackOff = backOff ?? TimeSpan.Zero;
        flags.BusyCallsRemaining = busyCalls;
    }

    /// <summary>The mailbox's EWS time budget now (EwsMaxBurst when unused; negative: in debt, answered ErrorServerBusy).</summary>
    public TimeSpan GetBudgetBalance(string mailbox) => TimeSpan.FromMilliseconds(_throttling.Balance(MailboxIndex(mailbox)));

    /// <summary>Changes the service-time model of EWS and Graph calls (base, per item, per kilobyte); null leaves a part as it is.</summary>
    public void SetServiceTime(TimeSpan? perCall = null, TimeSpan? perItem = null, TimeSpan? perKilobyte = null) =>
        _serviceTime.Configure(perCall, perItem, perKilobyte);

    /// <summary>The next <paramref name="count"/> EWS requests (to <paramref name="mailbox"/>, or any) get this fault.</summary>
    public void InjectFault(FaultKinds kind, int count = 1, string? mailbox = null) =>
        _faults.Queue(kind, count, mailbox is null ? null : MailboxIndex(mailbox));

    /// <summary>Changes random faults and latency for the rest of the run; null leaves a setting as it is.</summary>
    public void SetFaults(double? rate = null, FaultKinds? kinds = null, TimeSpan? latency = null, TimeSpan? jitter = null, TimeSpan? slowBodyDelay = null)
    {
        if (rate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), "The fault rate is a fraction between 0 and 1.");
        }

        _faults.Configure(rate, kinds, latency, jitter, slowBodyDelay);
    }

    /// <summary>Drops queued faults (not the random rate).</summary>
    public void ClearInjectedFaults() => _faults.ClearQueued();

    /// <summary>Changes the throttling budgets; null leaves a setting as it is.</summary>
    public void SetThrottling(int? maxConcurrencyPerMailbox = null, int? maxConcurrentSyncCallsPerMailbox = null, int? serverCapacity = null,
        TimeSpan? backOff = null, TimeSpan? backOffGrace = null, TimeSpan? maxBurst = null, TimeSpan? rechargeRate = null, TimeSpan? cutoffBalance = null,
        TimeSpan? maxBudgetBackOff = null)
    {
        if (rechargeRate <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(rechargeRate), "The recharge rate must be positive.");
        }

        _throttling.MaxBurst = maxBurst ?? _throttling.MaxBurst;
        _throttling.RechargeRate = rechargeRate ?? _throttling.RechargeRate;
        _throttling.CutoffBalance = cutoffBalance ?? _throttling.CutoffBalance;
        _throttling.MaxBudgetBackOff = maxBudgetBackOff ?? _throttling.MaxBudgetBackOff;
        _throttling.MaxConcurrency = maxConcurrencyPerMailbox ?? _throttling.MaxConcurrency;
        _throttling.MaxSyncCalls = maxConcurrentSyncCallsPerMailbox ?? _throttling.MaxSyncCalls;
        _throttling.ServerCapacity = serverCapacity ?? _throttling.ServerCapacity;
        _throttling.BackOff = backOff ?? _throttling.BackOff;
        _throttling.BackOffGrace = backOffGrace ?? _throttling.BackOffGrace;
    }

    /// <summary>
    /// Changes the front-end capacity at the given times from now (the storm case: 16, then 4, then 16 again), replacing
    /// any schedule not yet run out. The client is not told; it only meets more or fewer 503s.
    /// </summary>
    public void ScheduleServerCapacity(IEnumerable<(TimeSpan After, int Capacity)> steps)
    {
        var plan = steps.OrderBy(s => s.After).ToList();
        if (plan.Any(s => s.Capacity < 1 || s.After < TimeSpan.Zero))
        {
            throw new ArgumentException("Every step needs a capacity of at least 1 and a time not in the past.");
        }

        var schedule = new CancellationTokenSource();
        Interlocked.Exchange(ref _capacitySchedule, schedule)?.Cancel();
        var started = Stopwatch.GetTimestamp();
        _ = Task.Run(async () =>
        {
            foreach (var (after, capacity) in plan)
            {
                var wait = after - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, schedule.Token).ConfigureAwait(false);
                }

                _throttling.ServerCapacity = capacity;
            }
        }, schedule.Token);
    }

    /// <summary>Ends every back-off in force.</summary>
    public void ClearBackOffs() => _throttling.ClearBackOffs();

    /// <summary>Lifetime of tokens issued from now on (down to one second).</summary>
    public TimeSpan TokenLifetime
    {
        get => _identity.TokenLifetime;
        set => _identity.TokenLifetime = value >= TimeSpan.FromSeconds(1) ? value : throw new ArgumentOutOfRangeException(nameof(value), "At least one second.");
    }

    /// <summary>Revokes refresh tokens: the user's (UPN or address), or everyone's. Redeeming one then fails AADSTS50173.</summary>
    public void RevokeRefreshTokens(string? user = null) => _identity.RevokeRefreshTokens(user is null ? null : User(user).Index);

    /// <summary>The service account's password changes: Basic with the old one fails and its refresh tokens are revoked.</summary>
    public void ChangeServiceAccountPassword(string newPassword)
    {
        if (string.IsNullOrEmpty(newPassword))
        {
            throw new ArgumentException("The new password cannot be empty.", nameof(newPassword));
        }

        _identity.ChangeServiceAccountPassword(newPassword);
    }

    /// <summary>Allows or refuses Basic authentication at the EWS endpoint (Exchange Online refuses it).</summary>
    public void SetBasicAuth(bool allowed) => _authenticator.AllowBasic = allowed;

    /// <summary>User codes of device-code sign-ins waiting for approval.</summary>
    public IReadOnlyList<string> PendingDeviceCodes =>
        _identity.DeviceCodes.Values.Where(g => g.ApprovedUser is null && !g.Declined && g.Expires > DateTimeOffset.UtcNow).Select(g => g.UserCode!).ToList();

    /// <summary>Approves a device-code sign-in as <paramref name="user"/> (the service account when null). False if no such code.</summary>
    public bool ApproveDeviceCode(string userCode, string? user = null)
    {
        var grant = DeviceGrant(userCode);
        if (grant is null)
        {
            return false;
        }

        grant.ApprovedUser = user is null ? _store.Directory.ServiceAccount : User(user);
        return true;
    }

    public bool DeclineDeviceCode(string userCode)
    {
        var grant = DeviceGrant(userCode);
        if (grant is not null)
        {
            grant.Declined = true;
        }

        return grant is not null;
    }

    /// <summary>Moves an item to another folder (new EWS id and default Graph id; same immutable id). Returns the new EWS id, or null if it does not exist.</summary>
    public string? MoveItem(string itemId, string targetFolder)
    {
        var key = ItemKey(itemId);
        return _changes.MoveItem(key, FolderIndex(key.Mailbox, targetFolder)) is { } moved ? _store.Ids.ItemId(moved) : null;
    }

    /// <summary>The Graph id of an item (by EWS id): the default (REST) id, or the immutable one.</summary>
    public string GraphItemId(string itemId, bool immutable = false)
    {
        var key = ItemKey(itemId);
        return immutable
            ? _store.Read(key.Mailbox, data => _graph.Ids.ImmutableItemId(data.Folder(key.Folder) is { } f ? TenantStore.OriginOf(f, key) : key))
            : _graph.Ids.ItemId(key);
    }

    /// <summary>The Graph object id of a user (what /v1.0/users returns as id).</summary>
    public string GraphUserId(string user) => _store.Directory.Find(user) is { } u ? _graph.Tokens.UserObjectId(u.Index) : throw new ArgumentException($"There is no user '{user}' in the simulated tenant.");

    /// <summary>The Graph application permissions consented for the app: the roles of Graph tokens issued from now on.</summary>
    public void SetGraphPermissions(string clientId, IEnumerable<string> roles) => _identity.SetGraphPermissions(clientId, roles);

    public IReadOnlyList<string> GraphPermissions(string clientId) => _identity.GraphPermissions(clientId);

    /// <summary>Scopes an app's Graph access to mailboxes (RBAC for Applications stand-in): others answer 403 ErrorAccessDenied.</summary>
    public void SetGraphMailboxScope(string clientId, ImpersonationScope scope, IEnumerable<string>? mailboxes = null) =>
        _graph.MailboxScopes.Set(clientId, scope, mailboxes?.Select(MailboxIndex));

    /// <summary>The national cloud whose Graph audience the /v1.0 endpoint accepts.</summary>
    public GraphCloud GraphCloud
    {
        get => _graph.Cloud;
        set => _graph.Cloud = value;
    }

    /// <summary>Changes Graph's per-app-per-mailbox limits; null leaves a setting as it is.</summary>
    public void SetGraphThrottling(int? maxConcurrencyPerMailbox = null, int? requestsPerWindow = null, TimeSpan? window = null, TimeSpan? retryAfter = null,
        TimeSpan? latency = null)
    {
        _graph.Latency = latency ?? _graph.Latency;
        _graph.Throttling.MaxConcurrency = maxConcurrencyPerMailbox ?? _graph.Throttling.MaxConcurrency;
        _graph.Throttling.RequestsPerWindow = requestsPerWindow ?? _graph.Throttling.RequestsPerWindow;
        _graph.Throttling.Window = window ?? _graph.Throttling.Window;
        _graph.Throttling.RetryAfter = retryAfter ?? _graph.Throttling.RetryAfter;
    }

    /// <summary>Ends every Graph Retry-After in force and empties the request windows.</summary>
    public void ClearGraphRetryAfters() => _graph.Throttling.ClearRetryAfters();

    /// <summary>Queues <paramref name="count"/> of a Graph quirk for a mailbox (or any mailbox when null).</summary>
    public void InjectGraphQuirk(GraphQuirk quirk, int count = 1, string? mailbox = null) =>
        _graph.Quirks.Queue(quirk, count, mailbox is null ? null : MailboxIndex(mailbox));

    /// <summary>From now on, a seeded fraction (0..1) of the occasions for <paramref name="quirk"/> meet it (reproducible for a sequential client).</summary>
    public void SetGraphQuirkRate(GraphQuirk quirk, double rate) =>
        _graph.Quirks.SetRate(quirk, rate is >= 0 and <= 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), "A fraction between 0 and 1."));

    /// <summary>Drops queued quirks and rates.</summary>
    public void ClearGraphQuirks() => _graph.Quirks.Clear();

    /// <summary>Refuse (410 SyncStateNotFound) delta links older than the newest one issued for the folder, as Exchange does for stale nextLinks.</summary>
    public void RefuseStaleDeltaLinks(bool refuse, string? mailbox = null) => _graph.Quirks.RefuseStaleLinks(mailbox is null ? null : MailboxIndex(mailbox), refuse);

    /// <summary>Expires Graph delta tokens (410 SyncStateNotFound): the tenant's, a mailbox's, or one folder's. EWS sync states stay valid.</summary>
    public void ExpireDeltaTokens(string? mailbox = null, string? folder = null)
    {
        if (mailbox is null)
        {
            _graph.Quirks.Expire(null, null);
            return;
        }

        var index = MailboxIndex(mailbox);
        _graph.Quirks.Expire(index, folder is null ? null : FolderIndex(index, folder));
    }

    internal int MailboxIndex(string mailbox) => User(mailbox).Index;

    private PendingGrant? DeviceGrant(string userCode) =>
        _identity.DeviceCodes.Values.FirstOrDefault(g => string.Equals(g.UserCode, userCode.Replace("-", "", StringComparison.Ordinal).Trim(), StringComparison.OrdinalIgnoreCase));

    private DirectoryUser User(string address) =>
        _store.Directory.Find(address ?? "") ?? throw new ArgumentException($"There is no user '{address}' in the simulated tenant.");

    private ItemKey ItemKey(string itemId) =>
        _store.Ids.TryParseItemId(itemId, out var key) ? key : throw new ArgumentException("The item id is malformed or from another tenant.");

    private int FolderIndex(int mailbox, string folder) => _store.Read(mailbox, data => Folder(data, mailbox, folder).Index);

    private FolderData Folder(MailboxData data, int mailbox, string folder)
    {
        var found = data.FolderByDistinguishedName(folder)
            ?? (_store.Ids.TryParseFolderId(folder, out var owner, out var index) && owner == mailbox ? data.Folder(index) : null)
            ?? data.Folders.FirstOrDefault(f => !f.IsDeleted && f.DisplayName.Equals(folder, StringComparison.OrdinalIgnoreCase));
        return found ?? throw new ArgumentException($"The mailbox has no folder '{folder}'.");
    }

    private FolderSnapshot Snapshot(int mailbox, MailboxData data, FolderData f)
    {
        var view = FolderView.Of(_store, mailbox, data, f);
        return new FolderSnapshot(_store.Ids.FolderId(mailbox, f.Index), f.DistinguishedName, f.DisplayName,
            f.ParentIndex >= 0 ? _store.Ids.FolderId(mailbox, f.ParentIndex) : null, f.FolderClass, view.TotalCount, view.UnreadCount);
    }

    private SimulatedUser Describe(DirectoryUser user)
    {
        var flags = _store.Flags(user.Index);
        return new SimulatedUser(user.PrimarySmtp, user.Upn, user.Sid, user.DisplayName, new[] { user.Alias }, flags.HasMailbox, flags.Licensed,
            flags.MoveInProgress, flags.EwsEnabled, !flags.OutsideDefaultScope, user.Broken?.ToString(), _graph.Tokens.UserObjectId(user.Index));
    }
}
