using System.Collections.Concurrent;
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
        var later = test.Store.StartRun(Org, "worker-b");

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
}
