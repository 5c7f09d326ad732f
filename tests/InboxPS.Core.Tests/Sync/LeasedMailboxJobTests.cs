using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Sync;

/// <summary>The claim around each mailbox and the run record, over the real SQLite store and a job that only counts.</summary>
public sealed class LeasedMailboxJobTests
{
    private const string Org = "contoso";

    [Fact]
    public async Task AMailboxAnotherWorkerHoldsIsSkippedSayingWhoAndTheRunRecordCountsIt()
    {
        using var test = TestStore.Open(StoreKind.Sqlite);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        var other = test.Store.StartRun(Org, "other-worker");
        Assert.True(test.Store.TryClaim(other, "held@contoso.com", TimeSpan.FromMinutes(5)).Granted);
        var inner = new CountingJob();
        var job = new LeasedMailboxJob(inner, test.Store, Org, new Fakes.RecordingSink(), worker: "this-worker");

        var held = (MailboxSyncResult)await job.RunAsync(Target("held@contoso.com"), revisit: false, CancellationToken.None);
        var free = (MailboxSyncResult)await job.RunAsync(Target("free@contoso.com"), revisit: false, CancellationToken.None);
        job.Finish();

        Assert.Equal(SyncStatus.Skipped, held.Status);
        Assert.Contains("other-worker", held.Message);
        Assert.Equal(SyncStatus.Synced, free.Status);
        Assert.Equal(new[] { "free@contoso.com" }, inner.Visited);
        var run = test.Store.GetRuns(Org, 1).Single();
        Assert.Equal(("this-worker", 2, 1, 1, 3L), (run.Worker, run.Users, run.Synced, run.Skipped, run.Items));
        Assert.NotNull(run.Ended);
    }

    [Fact]
    public async Task AThrottledFirstVisitIsNotFinishedSoAnyWorkerMayTakeItAndIsCountedOnItsSecondVisit()
    {
        using var test = TestStore.Open(StoreKind.Sqlite);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        var job = new LeasedMailboxJob(new CountingJob { Throttle = true }, test.Store, Org, new Fakes.RecordingSink(), worker: "w1");

        await job.RunAsync(Target("busy@contoso.com"), revisit: false, CancellationToken.None);
        var second = test.Store.StartRun(Org, "w2");
        var taken = test.Store.TryClaim(second, "busy@contoso.com", TimeSpan.FromMinutes(1));
        test.Store.Release(taken, finished: false);
        await job.RunAsync(Target("busy@contoso.com"), revisit: true, CancellationToken.None);
        job.Finish();

        Assert.True(taken.Granted);
        Assert.Equal(1, test.Store.GetRuns(Org, 5).Single(r => r.Worker == "w1").Users);
    }

    [Fact]
    public async Task AMailboxTakenOverWhileThisWorkerStalledIsSkippedSayingWhoTookItAndNotRecordedAsFailed()
    {
        using var test = TestStore.Open(StoreKind.Sqlite);
        test.Store.SaveOrganization(new OrganizationProfile(Org));
        var inner = new StallingJob(test);
        var job = new LeasedMailboxJob(inner, test.Store, Org, new Fakes.RecordingSink(), worker: "stalled-worker");

        var result = (MailboxSyncResult)await job.RunAsync(Target("u1@contoso.com"), revisit: false, CancellationToken.None);
        job.Finish();

        Assert.Equal(SyncStatus.Skipped, result.Status);
        Assert.Null(result.GetError());
        Assert.Null(result.ErrorId);
        Assert.Contains("taken over by worker taker-worker", result.Message);
        Assert.Equal(1, result.ItemsAdded);
        Assert.Equal(RosterStatus.Pending, test.Store.GetRosterEntry(Org, "u1@contoso.com")!.Status);
        var run = test.Store.GetRuns(Org, 5).Single(r => r.Worker == "stalled-worker");
        Assert.Equal((1, 0, 0, 1), (run.Users, run.Synced, run.Failed, run.Skipped));
    }

    private static MailboxTarget Target(string address) => new(address, MailboxAddressKind.SmtpAddress);

    /// <summary>
    /// Stores a page, then "stalls": another worker takes the mailbox over (the lease row handed to it, as after an
    /// expiry), and the next page's write meets the fence, as in MailboxSynchronizer.
    /// </summary>
    private sealed class StallingJob : IMailboxJob
    {
        private readonly TestStore _test;

        public StallingJob(TestStore test) => _test = test;

        public MailboxOutcome Unresolvable(string record, InboxException error) => throw new NotSupportedException();

        public Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken)
        {
            var store = _test.Store;
            var result = new MailboxSyncResult(Org, mailbox.Address, SyncStatus.Synced);
            try
            {
                store.Activate(Org, mailbox);
                store.SelectFolder(Org, mailbox.Address, new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
                result.ItemsAdded += store.ApplyItemPage(Org, mailbox.Address, "F1", Page("s1", "a1"), null).Added;
                _test.Scalar("UPDATE mailbox_leases SET holder_token = 'taker-token', holder = 'taker-worker'");
                result.ItemsAdded += store.ApplyItemPage(Org, mailbox.Address, "F1", Page("s2", "a2"), null).Added;
                store.RecordSuccess(Org, mailbox.Address);
            }
            catch (InboxException e)
            {
                result.Fail(e, TimeSpan.Zero);
            }

            return Task.FromResult<MailboxOutcome>(result);
        }

        private static ItemPage Page(string state, string id) =>
            new(state, false, new[] { new MailItem(id) }, Array.Empty<string>(), Array.Empty<ReadFlagChange>());
    }

    private sealed class CountingJob : IMailboxJob
    {
        public List<string> Visited { get; } = new();

        public bool Throttle { get; init; }

        public MailboxOutcome Unresolvable(string record, InboxException error) => throw new NotSupportedException();

        public Task<MailboxOutcome> RunAsync(MailboxTarget mailbox, bool revisit, CancellationToken cancellationToken)
        {
            Visited.Add(mailbox.Address);
            var result = new MailboxSyncResult(Org, mailbox.Address, SyncStatus.Synced) { ItemsAdded = 3 };
            if (Throttle && !revisit)
            {
                result.Fail(new InboxException("ServerBusy", InboxErrorKind.ResourceBusy, "Busy.", "Wait.", fault: SyncFault.Throttled), TimeSpan.Zero);
            }

            return Task.FromResult<MailboxOutcome>(result);
        }
    }
}
