using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>The scheduler over the fake protocol: de-duplication, parking, the organization-wide stop, cancellation,
/// one result per record, progress.</summary>
public sealed class SyncEngineTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task The_same_mailbox_twice_is_synced_once_and_reported_once()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 3);
        _harness.Protocol.Add("bob@contoso.com");

        var run = await _harness.SyncAsync(new[] { "alice@contoso.com", "ALICE@contoso.com", "bob@contoso.com", "alice@contoso.com" },
            new SyncOptions { ThrottleLimit = 3 });

        // Which spelling of alice's address reaches a worker first is up to the workers: compare as Exchange does.
        Assert.Equal(new[] { "alice@contoso.com", "bob@contoso.com" },
            run.Synced.Select(r => r.Mailbox.ToLowerInvariant()).OrderBy(m => m, StringComparer.Ordinal));
        Assert.Equal(1, alice.Calls(FakeCall.Open));
        Assert.Equal(2, run.ProgressReports.Last().Total);
    }

    [Theory]
    [InlineData(SyncFault.Throttled)]
    [InlineData(SyncFault.Unavailable)]
    public async Task A_busy_mailbox_is_parked_while_its_worker_takes_the_next_and_is_visited_again_after_the_rest(SyncFault fault)
    {
        var busy = _harness.Protocol.Add("busy@contoso.com", items: 5);
        _harness.Protocol.Add("next@contoso.com", items: 1);
        _harness.Protocol.Add("last@contoso.com", items: 1);
        busy.Fail(FakeCall.GetFolder, Transient(fault, busy.Address));

        // One worker: had it waited for the busy mailbox, that mailbox would be reported first.
        var run = await _harness.SyncAsync(new[] { busy.Address, "next@contoso.com", "last@contoso.com" },
            new SyncOptions { ThrottleLimit = 1, RetryTransientAfter = TimeSpan.Zero });

        Assert.Equal(new[] { "next@contoso.com", "last@contoso.com", busy.Address }, run.Synced.Select(r => r.Mailbox));
        Assert.Equal((SyncStatus.Synced, 5), (run.For(busy.Address).Status, run.For(busy.Address).ItemsAdded));
        Assert.Equal(new[] { busy.Address, "next@contoso.com", "last@contoso.com", busy.Address }, _harness.Protocol.Opened);
        Assert.Contains(run.Lines, l => l.StartsWith("Warning: busy@contoso.com:", StringComparison.Ordinal) && l.Contains("once the rest of the input is done"));
    }

    [Fact]
    public async Task A_mailbox_still_throttled_on_its_second_visit_fails_once_with_that_error()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com", items: 5);
        busy.FailAlways(FakeCall.SyncItems, Faults.Throttled(busy.Address));

        var run = await _harness.SyncAsync(new[] { busy.Address }, new SyncOptions { RetryTransientAfter = TimeSpan.Zero });

        var result = Assert.Single(run.Synced);
        Assert.Equal((SyncStatus.Failed, "FakeServerBusy"), (result.Status, result.ErrorId));
        Assert.Equal(TimeSpan.FromSeconds(5), result.ThrottledFor);
        Assert.Equal(2, busy.Calls(FakeCall.SyncItems));
        Assert.Equal("FakeServerBusy", _harness.Store.GetRosterEntry(EngineHarness.Organization, busy.Address)!.LastErrorId);
    }

    [Fact]
    public async Task A_parked_mailbox_waits_for_its_due_time_before_the_second_visit()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com");
        busy.Fail(FakeCall.GetFolder, Faults.Throttled(busy.Address));
        var firstVisit = DateTimeOffset.MinValue;
        var secondVisit = DateTimeOffset.MinValue;
        busy.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.GetFolder)
            {
                if (count == 1)
                {
                    firstVisit = DateTimeOffset.UtcNow;
                }
                else
                {
                    secondVisit = DateTimeOffset.UtcNow;
                }
            }
        };

        await _harness.SyncAsync(new[] { busy.Address }, new SyncOptions { RetryTransientAfter = TimeSpan.FromMilliseconds(150) });

        Assert.True(secondVisit - firstVisit >= TimeSpan.FromMilliseconds(140), $"visited again after {(secondVisit - firstVisit).TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData(SyncFault.MailboxNotFound)]
    [InlineData(SyncFault.AccessDenied)]
    [InlineData(SyncFault.None)]
    public async Task Failures_that_outlast_a_run_are_not_parked(SyncFault fault)
    {
        var broken = _harness.Protocol.Add("broken@contoso.com");
        broken.FailAlways(FakeCall.GetFolder, new InboxException("FakeBroken", InboxErrorKind.InvalidOperation, "Broken.", fault: fault));

        var run = await _harness.SyncAsync(new[] { broken.Address }, new SyncOptions { RetryTransientAfter = TimeSpan.Zero });

        Assert.Equal("FakeBroken", Assert.Single(run.Synced).ErrorId);
        Assert.Equal(1, broken.Calls(FakeCall.GetFolder));
    }

    [Theory]
    [InlineData(FakeCall.Open)]
    [InlineData(FakeCall.SyncItems)]
    public async Task A_failed_organization_sign_in_stops_the_run_once(FakeCall failingCall)
    {
        var addresses = Enumerable.Range(0, 30).Select(i => $"user{i:00}@contoso.com").ToArray();
        var revoked = Faults.SignIn();
        _harness.Protocol.Add("revoked@contoso.com", items: 3).FailAlways(failingCall, revoked);
        foreach (var (address, index) in addresses.Select((a, i) => (a, i)))
        {
            var mailbox = _harness.Protocol.Add(address, items: 3);
            if (index >= 3)
            {
                // The mailboxes after the revoked one hold their first call after Open until the run stops (or 2 s
                // pass): how far the other worker would get meanwhile is the machine's scheduling (a loaded one let
                // it open ten), not the engine's.
                mailbox.HoldCall = (_, token) =>
                {
                    if (token.CanBeCanceled)
                    {
                        token.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
                    }
                };
            }
        }

        var inputs = addresses.Take(3).Append("revoked@contoso.com").Concat(addresses.Skip(3));

        var error = await Assert.ThrowsAsync<InboxException>(() => _harness.SyncAsync(inputs, new SyncOptions { ThrottleLimit = 2 }));

        Assert.Same(revoked, error);
        // Three before it, itself, and the one the other worker was holding when the run stopped.
        var opened = _harness.Protocol.Opened.Count;
        Assert.True(opened <= 5, $"{opened} mailboxes were opened: the run went on after the sign-in failed");
        Assert.DoesNotContain(_harness.Store.GetRoster(EngineHarness.Organization, activeOnly: false), e => e.LastErrorId == revoked.ErrorId);
    }

    [Fact]
    public async Task Each_record_gets_exactly_one_result_whatever_happens_to_it()
    {
        _harness.Protocol.Add("good@contoso.com", items: 2);
        _harness.Protocol.Add("busy@contoso.com").FailAlways(FakeCall.SyncItems, Faults.Unavailable("busy@contoso.com"));
        _harness.Protocol.Add("denied@contoso.com").FailAlways(FakeCall.GetFolder, Faults.AccessDenied("denied@contoso.com"));
        var inputs = new[]
        {
            new MailboxInput { Text = "good@contoso.com" },
            new MailboxInput { Alias = "just-an-alias" },
            new MailboxInput { PrimarySmtpAddress = "not an address" },
            new MailboxInput { Text = "ghost@contoso.com" },
            new MailboxInput { Text = "busy@contoso.com" },
            new MailboxInput { Text = "denied@contoso.com" },
        };

        var run = await _harness.SyncAsync(inputs, new SyncOptions { ThrottleLimit = 3, RetryTransientAfter = TimeSpan.Zero });

        var byMailbox = run.Synced.ToDictionary(r => r.Mailbox, r => r.ErrorId ?? r.Status.ToString());
        Assert.Equal(6, run.Results.Count);
        Assert.Equal(new Dictionary<string, string>
        {
            ["good@contoso.com"] = "Synced",
            ["just-an-alias"] = "MailboxIdentityUnresolvable",
            ["not an address"] = "MailboxAddressInvalid",
            ["ghost@contoso.com"] = "FakeMailboxNotFound",
            ["busy@contoso.com"] = "FakeServerUnavailable",
            ["denied@contoso.com"] = "FakeAccessDenied",
        }, byMailbox);
        Assert.All(run.Synced.Where(r => r.ErrorId is not null), r => Assert.Equal(r.ErrorId, r.GetError()!.ErrorId));
        Assert.Equal((6, 6), (run.ProgressReports.Last().Completed, run.ProgressReports.Last().Total));
        Assert.Contains("5 failed", run.ProgressReports.Last().Status);
    }

    [Fact]
    public async Task Cancelling_mid_run_stops_with_every_page_before_it_stored_and_a_rerun_resumes_after_it()
    {
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 50);
        using var cancel = new CancellationTokenSource();
        alice.BeforeCall = (call, count) =>
        {
            if (call == FakeCall.SyncItems && count == 4)
            {
                cancel.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { Folders = new[] { "inbox" } }, cancel.Token));

        Assert.Equal(30, _harness.StoredItemIds(alice.Address).Count);
        alice.BeforeCall = null;
        var rerun = await _harness.SyncAsync(new[] { alice.Address }, new SyncOptions { Folders = new[] { "inbox" } });
        Assert.Equal(20, rerun.For(alice.Address).ItemsAdded);
        _harness.AssertStoreMatches(alice, alice.Inbox);
    }

    [Fact]
    public async Task Progress_is_reported_under_the_activity_of_the_command_that_runs()
    {
        _harness.Protocol.Add("alice@contoso.com");

        var run = await _harness.PreflightAsync(new[] { "alice@contoso.com" }, new SyncOptions { ProgressActivity = "Test-InboxImpersonation" });

        Assert.NotEmpty(run.ProgressReports);
        Assert.All(run.ProgressReports, p => Assert.Equal("Test-InboxImpersonation", p.Activity));
        Assert.Equal((1, 1, 100), (run.ProgressReports.Last().Completed, run.ProgressReports.Last().Total, run.ProgressReports.Last().PercentComplete));
    }

    [Fact]
    public async Task Many_workers_never_send_one_mailbox_two_calls_at_once()
    {
        var mailboxes = Enumerable.Range(0, 16).Select(i => _harness.Protocol.Add($"user{i:00}@contoso.com", items: 30)).ToArray();

        var run = await _harness.SyncAsync(mailboxes.Select(m => m.Address), new SyncOptions { ThrottleLimit = 8 });

        Assert.All(run.Synced, r => Assert.Equal((SyncStatus.Synced, 30), (r.Status, r.ItemsAdded)));
        Assert.DoesNotContain(mailboxes, m => m.SawConcurrentCalls);
    }

    [Theory]
    [InlineData(SyncApproval.WhatIf, SyncStatus.WhatIf)]
    [InlineData(SyncApproval.Declined, SyncStatus.Skipped)]
    public async Task A_mailbox_not_approved_is_reported_and_never_opened(SyncApproval answer, SyncStatus status)
    {
        _harness.Protocol.Add("alice@contoso.com", items: 3);

        var run = await _harness.SyncAsync(new[] { "alice@contoso.com" }, new SyncOptions { Approve = _ => Task.FromResult(answer) });

        Assert.Equal(status, Assert.Single(run.Synced).Status);
        Assert.Empty(_harness.Protocol.Opened);
        Assert.Empty(_harness.Store.GetRoster(EngineHarness.Organization, activeOnly: false));
    }

    [Fact]
    public async Task A_parked_mailbox_is_not_asked_about_again()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com");
        busy.Fail(FakeCall.GetFolder, Faults.Throttled(busy.Address));
        var asked = 0;

        var run = await _harness.SyncAsync(new[] { busy.Address }, new SyncOptions
        {
            RetryTransientAfter = TimeSpan.Zero,
            Approve = _ =>
            {
                Interlocked.Increment(ref asked);
                return Task.FromResult(SyncApproval.Proceed);
            },
        });

        Assert.Equal(SyncStatus.Synced, Assert.Single(run.Synced).Status);
        Assert.Equal((1, 2), (asked, _harness.Protocol.Opened.Count));
    }

    private static InboxException Transient(SyncFault fault, string mailbox) =>
        fault == SyncFault.Throttled ? Faults.Throttled(mailbox) : Faults.Unavailable(mailbox);
}
