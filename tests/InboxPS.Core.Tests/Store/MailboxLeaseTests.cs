using System.Collections.Concurrent;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Store;

/// <summary>Claims between workers and run records, on both stores (issue 16).</summary>
public sealed class MailboxLeaseTests
{
    private const string Org = "contoso";
    private static readonly TimeSpan s_minute = TimeSpan.FromMinutes(1);

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AHeldClaimIsRefusedToAnotherWorkerWithItsHolder(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var other = test.Reopen();
        var first = test.Store.StartRun(Org, "worker-a");
        var second = other.StartRun(Org, "worker-b");

        var granted = test.Store.TryClaim(first, "u1@contoso.com", s_minute);
        var refused = other.TryClaim(second, "U1@contoso.com", s_minute);

        Assert.True(granted.Granted);
        Assert.False(refused.Granted);
        Assert.Equal("worker-a", refused.Holder);
        Assert.False(refused.FinishedByHolder);
        Assert.Contains("worker-a", refused.Describe());
        Assert.True(test.Store.TryClaim(first, "u1@contoso.com", s_minute).Granted);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AnExpiredClaimGoesToAnotherWorkerAndTheFirstCannotRenewIt(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var dead = test.Store.StartRun(Org, "dead");
        var alive = test.Store.StartRun(Org, "alive");
        var lost = test.Store.TryClaim(dead, "u1@contoso.com", TimeSpan.FromMilliseconds(300));

        Thread.Sleep(700);
        var taken = test.Store.TryClaim(alive, "u1@contoso.com", s_minute);

        Assert.True(lost.Granted);
        Assert.True(taken.Granted);
        Assert.False(test.Store.Renew(lost, s_minute));
        Assert.True(test.Store.Renew(taken, s_minute));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AClaimOfAProcessOfThisMachineThatDiedIsTakenAtOnce(StoreKind kind)
    {
        // A worker killed hard and started again on the same machine (the Soak kill, a scheduled task) must not wait for
        // its predecessor's claims to expire: their token names a process that is gone.
        using var test = StoreContractTests.WithOrganization(kind);
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        gone.WaitForExit();
        var live = test.Store.StartRun(Org, "killed");
        var deadToken = live.Token.Substring(0, live.Token.LastIndexOf('/') + 1) + gone.Id;
        var dead = new SyncRun(live.Id, Org, "killed", deadToken, live.Started);
        var otherMachine = new SyncRun(live.Id, Org, "elsewhere", $"{Guid.NewGuid():N}@another-machine/{gone.Id}", live.Started);
        var restarted = test.Store.StartRun(Org, "restarted");

        Assert.True(test.Store.TryClaim(dead, "u1@contoso.com", s_minute).Granted);
        Assert.True(test.Store.TryClaim(otherMachine, "u2@contoso.com", s_minute).Granted);
        Assert.True(test.Store.TryClaim(restarted, "u1@contoso.com", s_minute).Granted);
        Assert.Equal("elsewhere", test.Store.TryClaim(restarted, "u2@contoso.com", s_minute).Holder);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AMailboxFinishedInThisRoundIsLeftAloneUntilALaterRun(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        test.Store.Activate(Org, new MailboxTarget("u1@contoso.com", MailboxAddressKind.SmtpAddress));
        var a = test.Store.StartRun(Org, "worker-a");
        var b = test.Store.StartRun(Org, "worker-b");

        test.Store.Release(test.Store.TryClaim(a, "u1@contoso.com", s_minute), finished: true);
        var refused = test.Store.TryClaim(b, "u1@contoso.com", s_minute);
        Thread.Sleep(50);
        var later = test.Store.StartRun(Org, "worker-b", roundWindow: TimeSpan.Zero);

        Assert.True(refused.FinishedByHolder);
        Assert.Equal("worker-a", refused.Holder);
        Assert.Equal("worker-a", test.Store.GetRosterEntry(Org, "u1@contoso.com")!.Worker);
        Assert.True(test.Store.TryClaim(later, "u1@contoso.com", s_minute).Granted);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AnUnfinishedReleaseLetsAnyWorkerTakeTheMailboxAtOnce(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var a = test.Store.StartRun(Org, "worker-a");
        var b = test.Store.StartRun(Org, "worker-b");

        test.Store.Release(test.Store.TryClaim(a, "u1@contoso.com", s_minute), finished: false);

        Assert.True(test.Store.TryClaim(b, "u1@contoso.com", s_minute).Granted);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void WorkersClaimingTheSameMailboxesAtOnceGetEachExactlyOnce(StoreKind kind)
    {
        // Six workers (store objects, as six processes) race through the same 120 mailboxes in the same order.
        using var test = StoreContractTests.WithOrganization(kind);
        var workers = Enumerable.Range(0, 6).Select(i => (Store: test.Reopen(), Name: $"w{i}")).ToArray();
        var runs = workers.Select(w => w.Store.StartRun(Org, w.Name)).ToArray();
        var winners = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length }, w =>
        {
            for (var m = 0; m < 120; m++)
            {
                var mailbox = $"u{m:000}@contoso.com";
                if (workers[w].Store.TryClaim(runs[w], mailbox, s_minute).Granted)
                {
                    winners.GetOrAdd(mailbox, _ => new ConcurrentBag<string>()).Add(workers[w].Name);
                }
            }
        });

        Assert.Equal(120, winners.Count);
        Assert.All(winners, pair => Assert.Single(pair.Value));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AWorkerThatLostItsClaimCannotStoreAPageAndIsToldWhoTookTheMailboxOver(StoreKind kind)
    {
        // The stalled worker's claim expires, another worker takes the mailbox and continues from the last stored page;
        // then the stalled one wakes up and tries to store the page it was working on (issue 16: fencing).
        using var test = StoreContractTests.WithOrganization(kind);
        var stalledStore = test.Store;
        var takerStore = test.Reopen();
        var stalled = stalledStore.StartRun(Org, "stalled-worker");
        var taker = takerStore.StartRun(Org, "taker-worker");
        var lost = stalledStore.TryClaim(stalled, "u1@contoso.com", TimeSpan.FromMilliseconds(300));
        using (stalledStore.FenceWrites(lost))
        {
            stalledStore.Activate(Org, new MailboxTarget("u1@contoso.com", MailboxAddressKind.SmtpAddress));
            stalledStore.SelectFolder(Org, "u1@contoso.com", new MailFolder("F1", null, "Inbox", "IPF.Note"), "inbox");
            stalledStore.ApplyItemPage(Org, "u1@contoso.com", "F1", Page("s1", "a1"), null);
        }

        Thread.Sleep(700);
        var taken = takerStore.TryClaim(taker, "u1@contoso.com", s_minute);
        using (takerStore.FenceWrites(taken))
        {
            takerStore.ApplyItemPage(Org, "u1@contoso.com", "F1", Page("s2", "a2"), null);
        }

        StoreException refused;
        using (stalledStore.FenceWrites(lost))
        {
            refused = Assert.Throws<StoreException>(() => stalledStore.ApplyItemPage(Org, "u1@contoso.com", "F1", Page("s2-late", "late"), null));
            Assert.Equal(SyncFault.ClaimLost, Assert.Throws<StoreException>(() => stalledStore.RecordSuccess(Org, "u1@contoso.com")).Fault);
        }

        Assert.True(taken.Granted);
        Assert.Equal(("MailboxTakenOver", SyncFault.ClaimLost), (refused.ErrorId, refused.Fault));
        Assert.Contains("taker-worker", refused.Message);
        Assert.Contains("u1@contoso.com", refused.Message);
        Assert.False(MailboxFailure.StopsRun(refused));
        Assert.Equal("s2", stalledStore.GetFolders(Org, "u1@contoso.com").Single().SyncState);
        Assert.Equal((1, 2), stalledStore.CountStored(Org, "u1@contoso.com"));
        Assert.Equal(0L, Convert.ToInt64(test.Scalar("SELECT count(*) FROM items WHERE item_id = 'late'")));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void OutsideAFenceAndForOtherStoreObjectsWritesAreNotChecked(StoreKind kind)
    {
        // The fence belongs to the flow that holds the claim: the taker's writes, and writes made after the stalled
        // worker left its fence (its failure record, an admin's Disable-InboxSync), are not refused.
        using var test = StoreContractTests.WithOrganization(kind);
        var stalled = test.Store.StartRun(Org, "stalled-worker");
        var taker = test.Store.StartRun(Org, "taker-worker");
        var lost = test.Store.TryClaim(stalled, "u1@contoso.com", TimeSpan.FromMilliseconds(300));
        Thread.Sleep(700);
        Assert.True(test.Store.TryClaim(taker, "u1@contoso.com", s_minute).Granted);

        using (test.Store.FenceWrites(lost))
        {
            Assert.Throws<StoreException>(() => test.Store.Activate(Org, new MailboxTarget("u1@contoso.com", MailboxAddressKind.SmtpAddress)));
        }

        Assert.True(test.Store.Activate(Org, new MailboxTarget("u1@contoso.com", MailboxAddressKind.SmtpAddress)));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void AWorkerStartingLateInTheRoundLeavesAloneWhatAnotherWorkerFinishedBeforeItStarted(StoreKind kind)
    {
        // Three workers on one schedule; one starts after the others finished some mailboxes (a queued runbook job, a
        // restarted worker). Within the round window it joins their round: what they finished is theirs this round.
        using var test = StoreContractTests.WithOrganization(kind);
        var round = TimeSpan.FromMinutes(10);
        var first = test.Store.StartRun(Org, "worker-a", round);
        test.Store.Release(test.Store.TryClaim(first, "u1@contoso.com", s_minute), finished: true);
        Thread.Sleep(50);

        var late = test.Store.StartRun(Org, "worker-c", round);
        var refused = test.Store.TryClaim(late, "u1@contoso.com", s_minute);

        Assert.Equal(first.RoundStarted, late.RoundStarted);
        Assert.True(late.Started > late.RoundStarted);
        Assert.False(refused.Granted);
        Assert.True(refused.FinishedByHolder);
        Assert.Equal("worker-a", refused.Holder);
        Assert.True(test.Store.TryClaim(late, "u2@contoso.com", s_minute).Granted);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ARunStartedAfterTheRoundWindowBeginsANewRoundAndSyncsEverythingAgain(StoreKind kind)
    {
        // The next schedule time: the window since the round began has passed, so this run begins a new round, and a
        // run without a window (a console's own run) only leaves alone what others finish after it started.
        using var test = StoreContractTests.WithOrganization(kind);
        var first = test.Store.StartRun(Org, "worker-a", TimeSpan.FromMilliseconds(300));
        test.Store.Release(test.Store.TryClaim(first, "u1@contoso.com", s_minute), finished: true);
        Thread.Sleep(700);

        var next = test.Store.StartRun(Org, "worker-b", TimeSpan.FromMilliseconds(300));
        var console = test.Store.StartRun(Org, "console", TimeSpan.Zero);

        Assert.Equal(next.Started, next.RoundStarted);
        Assert.Equal(console.Started, console.RoundStarted);
        Assert.True(test.Store.TryClaim(next, "u1@contoso.com", s_minute).Granted);
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void ARunRecordKeepsItsWorkerTimesAndTotals(StoreKind kind)
    {
        using var test = StoreContractTests.WithOrganization(kind);
        var run = test.Store.StartRun(Org, "worker-a");
        test.Store.StartRun(Org, "worker-b");

        test.Store.FinishRun(run, new SyncRunTotals { Users = 5, Synced = 3, Failed = 1, Skipped = 1, Items = 42, Throttled = TimeSpan.FromSeconds(7) });

        var runs = test.Store.GetRuns(Org, 10);
        Assert.Equal(new[] { "worker-b", "worker-a" }, runs.Select(r => r.Worker));
        Assert.Null(runs[0].Ended);
        var finished = runs[1];
        Assert.Equal((5, 3, 1, 1, 42L, TimeSpan.FromSeconds(7)), (finished.Users, finished.Synced, finished.Failed, finished.Skipped, finished.Items, finished.Throttled));
        Assert.True(finished.Ended >= finished.Started);
        Assert.Single(test.Store.GetRuns(Org, 1));
    }

    private static ItemPage Page(string state, params string[] ids) =>
        new(state, false, ids.Select(id => new MailItem(id) { Subject = id }).ToArray(), Array.Empty<string>(), Array.Empty<ReadFlagChange>());
}
