using InboxPS.Core.Ews;
using InboxPS.Core.Sync;
using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Sync;

/// <summary>
/// The sync engine against the simulator over real HTTPS with a real MSAL token and a real SQLite store: after every
/// run the store must equal the simulator's ground truth, item for item.
/// </summary>
public sealed class SyncEndToEndTests : IClassFixture<SyncTenant>
{
    private readonly SyncTenant _tenant;

    public SyncEndToEndTests(SyncTenant tenant) => _tenant = tenant;

    private ExchangeSimulator Simulator => _tenant.Simulator;

    [Fact]
    public async Task First_sync_stores_every_item_exactly_once_and_activates_each_user()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Take(5).ToList();

        var run = await org.SyncAsync(users);

        Assert.Equal(users.Count, run.Results.Count);
        foreach (var user in users)
        {
            var result = run.For(user);
            Assert.Equal(SyncStatus.Synced, result.Status);
            Assert.True(result.Activated);
            Assert.Equal(2, result.Folders);
            Assert.True(result.ItemsAdded > SyncTenant.PageSize, "the inbox must span several pages");
            Assert.True(result.Attempts > 3);
            org.AssertMatchesTruth(user);
        }

        Assert.All(org.Store.GetRoster(org.Name, activeOnly: true), e => Assert.Equal(RosterStatus.Synced, e.Status));
        Assert.True(run.ProgressReports > 0);
    }

    [Fact]
    public async Task Activating_a_mailbox_with_inbox_and_sent_items_costs_four_calls_an_unchanged_rerun_three_and_new_mail_in_both_four()
    {
        using var org = await _tenant.ConnectAsync();
        org.PageSize = EwsMailboxProtocol.MaxChangesPerPage;
        var user = _tenant.Users[7];

        // Issue 15: one GetFolder for both folders (the preflight), no hierarchy (both are found by name), a
        // SyncFolderItems each and one GetItem for the new items of both, each page stored with its own state.
        var (activation, activated) = await CountCallsAsync(org, user);
        Assert.Equal((SyncStatus.Synced, true, 2), (activated.Status, activated.Activated, activated.Folders));
        Assert.Equal(new Dictionary<string, long> { ["GetFolder"] = 1, ["SyncFolderHierarchy"] = 0, ["SyncFolderItems"] = 2, ["GetItem"] = 1 }, activation);
        Assert.Equal(4, activated.Attempts);
        org.AssertMatchesTruth(user);

        // Unchanged: the preflight and one SyncFolderItems per folder, nothing to read.
        var (rerun, unchanged) = await CountCallsAsync(org, user);
        Assert.Equal((SyncStatus.Synced, false, 0), (unchanged.Status, unchanged.Activated, unchanged.ItemsAdded));
        Assert.Equal(new Dictionary<string, long> { ["GetFolder"] = 1, ["SyncFolderHierarchy"] = 0, ["SyncFolderItems"] = 2, ["GetItem"] = 0 }, rerun);
        Assert.Equal(3, unchanged.Attempts);
        org.AssertMatchesTruth(user);

        // New mail in both folders: their pages come together too, with one GetItem for the new items of both.
        Simulator.Control.InjectChanges(user, "inbox", creates: 2);
        Simulator.Control.InjectChanges(user, "sentitems", creates: 1);
        var (changed, incremental) = await CountCallsAsync(org, user);
        Assert.Equal((SyncStatus.Synced, 3), (incremental.Status, incremental.ItemsAdded));
        Assert.Equal(new Dictionary<string, long> { ["GetFolder"] = 1, ["SyncFolderHierarchy"] = 0, ["SyncFolderItems"] = 2, ["GetItem"] = 1 }, changed);
        org.AssertMatchesTruth(user);
    }

    // The simulator's requests by operation for one run of one user (every request it saw, so also none unaccounted).
    private async Task<(Dictionary<string, long> Calls, MailboxSyncResult Result)> CountCallsAsync(SyncTenant.Org org, string user)
    {
        var before = Simulator.Control.Metrics;
        var run = await org.SyncAsync(new[] { user }, new SyncOptions { ThrottleLimit = 1 });
        var after = Simulator.Control.Metrics;
        var calls = new[] { "GetFolder", "SyncFolderHierarchy", "SyncFolderItems", "GetItem" }
            .ToDictionary(op => op, op => after.RequestsByOperation.GetValueOrDefault(op) - before.RequestsByOperation.GetValueOrDefault(op));
        Assert.Equal(calls.Values.Sum(), after.EwsRequests - before.EwsRequests);
        return (calls, run.For(user));
    }

    [Fact]
    public async Task A_rerun_is_incremental_and_converges_after_creates_updates_deletes_and_read_flags()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[1];
        await org.SyncAsync(new[] { user });

        var quiet = (await org.SyncAsync(new[] { user })).For(user);
        Assert.Equal((0, 0, 0), (quiet.ItemsAdded, quiet.ItemsUpdated, quiet.ItemsDeleted));
        Assert.False(quiet.Activated);

        var changes = Simulator.Control.InjectChanges(user, "inbox", creates: 9, updates: 3, deletes: 4, readFlagChanges: 5);
        var rerun = (await org.SyncAsync(new[] { user })).For(user);

        Assert.Equal(SyncStatus.Synced, rerun.Status);
        Assert.Equal(9, rerun.ItemsAdded);
        Assert.Equal(4, rerun.ItemsDeleted);
        Assert.InRange(rerun.ItemsUpdated, 3, 8);
        org.AssertMatchesTruth(user);
        Assert.NotNull(changes);
    }

    [Fact]
    public async Task An_invalid_sync_state_resyncs_the_folder_with_no_duplicates()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[2];
        await org.SyncAsync(new[] { user });
        Simulator.Control.InjectChanges(user, "inbox", creates: 2, deletes: 2);
        Simulator.Control.InvalidateSyncStates(user);

        var run = await org.SyncAsync(new[] { user });

        Assert.Equal(SyncStatus.Synced, run.For(user).Status);
        Assert.Contains(run.Lines, line => line.Contains("no longer valid", StringComparison.Ordinal));
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task A_corrupt_item_is_skipped_over_the_wire_the_folder_advances_and_a_later_run_reads_it()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[8];
        await org.SyncAsync(new[] { user });
        var created = Simulator.Control.InjectChanges(user, "inbox", creates: 3).Created;
        Simulator.Control.BreakItem(created[1]);
        Simulator.Control.BreakItem(created[2], "ErrorMessageSizeExceeded");

        var skipped = (await org.SyncAsync(new[] { user })).For(user);
        Simulator.Control.HealItem(created[1]);
        Simulator.Control.HealItem(created[2]);
        var healed = (await org.SyncAsync(new[] { user })).For(user);

        Assert.Equal((SyncStatus.Synced, 1, 2), (skipped.Status, skipped.ItemsAdded, skipped.ItemsSkipped));
        Assert.Contains("ErrorItemCorrupt", skipped.Message);
        Assert.Equal((SyncStatus.Synced, 2, 0), (healed.Status, healed.ItemsAdded, healed.ItemsSkipped));
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task The_same_mailbox_twice_is_synced_once_and_reported_once()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[3];

        var run = await org.SyncAsync(new[]
        {
            new MailboxInput { PrimarySmtpAddress = user },
            new MailboxInput { Text = user.ToUpperInvariant() },
            new MailboxInput { Identity = user },
        });

        Assert.Single(run.Results);
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task One_mailbox_named_by_its_primary_address_and_by_its_upn_is_one_roster_entry_with_its_items_once()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[4];
        var upn = Simulator.Control.ListUsers().Single(u => u.PrimarySmtpAddress == user).Aliases.Single();
        Assert.NotEqual(user, upn, StringComparer.OrdinalIgnoreCase);

        // Both names in one run (as from two source lists), then each alone on later runs.
        var both = await org.SyncAsync(new[] { new MailboxInput { UserPrincipalName = upn }, new MailboxInput { PrimarySmtpAddress = user } });
        await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } });
        await org.SyncAsync(new[] { new MailboxInput { UserPrincipalName = upn } });

        Assert.Equal(2, both.Results.Count);
        Assert.Single(both.Results, r => r.Status == SyncStatus.Synced);
        Assert.Single(both.Results, r => r.Status == SyncStatus.Skipped && r.Message!.Contains("same mailbox", StringComparison.Ordinal));
        var entry = Assert.Single(org.Store.GetRoster(org.Name, activeOnly: false));
        org.AssertMatchesTruth(entry.Mailbox);
        Assert.Equal(0, org.Stored(string.Equals(entry.Mailbox, user, StringComparison.OrdinalIgnoreCase) ? upn : user).Rows);
    }

    [Fact]
    public async Task Bad_input_rows_fail_alone_and_every_other_user_syncs()
    {
        using var org = await _tenant.ConnectAsync();
        var good = _tenant.Users.Skip(4).Take(2).ToList();

        var run = await org.SyncAsync(new[]
        {
            new MailboxInput { PrimarySmtpAddress = good[0] },
            new MailboxInput { PrimarySmtpAddress = "not an address" },
            new MailboxInput { ExternalDirectoryObjectId = "0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10" },
            new MailboxInput { PrimarySmtpAddress = "nobody@contoso.test" },
            new MailboxInput { UserPrincipalName = Simulator.Control.GetUser(good[1]).UserPrincipalName },
        });

        Assert.Equal(5, run.Results.Count);
        Assert.Equal("MailboxAddressInvalid", run.For("not an address").ErrorId);
        // Get-MgUser's Id alone: EWS cannot impersonate by it, and says what to pass instead.
        var objectIdOnly = run.For("0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10");
        Assert.Equal(("MailboxIdentityUnresolvable", SyncStatus.Failed), (objectIdOnly.ErrorId, objectIdOnly.Status));
        Assert.Contains("Mail or UserPrincipalName", objectIdOnly.RecommendedAction, StringComparison.Ordinal);
        var missing = run.For("nobody@contoso.test");
        Assert.Equal(SyncStatus.Failed, missing.Status);
        Assert.Equal("EwsMailboxNotFound", missing.ErrorId);
        Assert.False(string.IsNullOrEmpty(missing.RecommendedAction));
        Assert.Equal(SyncStatus.Synced, run.For(good[0]).Status);
        Assert.Equal(2, run.Results.Count(r => r.Status == SyncStatus.Synced));
        org.AssertMatchesTruth(good[0]);
    }

    [Fact]
    public async Task Broken_mailboxes_fail_with_the_reason_and_the_advice()
    {
        using var org = await _tenant.ConnectAsync();
        var broken = Simulator.Control.ListUsers().Where(u => u.Broken is "OutOfScope" or "NoLicense").ToList();
        Assert.Equal(2, broken.Count);

        var run = await org.SyncAsync(broken.Select(u => u.PrimarySmtpAddress));

        var denied = run.For(broken.Single(u => u.Broken == "OutOfScope").PrimarySmtpAddress);
        Assert.Equal("EwsImpersonationDenied", denied.ErrorId);
        Assert.Contains("ApplicationImpersonation", denied.RecommendedAction);
        var unlicensed = run.For(broken.Single(u => u.Broken == "NoLicense").PrimarySmtpAddress);
        Assert.Equal(SyncStatus.Failed, unlicensed.Status);
        Assert.All(run.Results, r => Assert.False(r.Activated));
        var failedOnRoster = org.Store.GetRoster(org.Name, activeOnly: false).Where(e => e.Status == RosterStatus.Failed).ToList();
        Assert.Equal(2, failedOnRoster.Count);
    }

    [Fact]
    public async Task A_throttling_storm_ends_with_every_user_synced_and_no_back_off_violation()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Skip(6).Take(4).ToList();
        foreach (var user in users)
        {
            Simulator.Control.ThrottleMailbox(user, busyCalls: 3);
        }

        var before = Simulator.Control.Metrics;
        var run = await org.SyncAsync(users, new SyncOptions { ThrottleLimit = 4 });
        var after = Simulator.Control.Metrics;

        Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        Assert.All(run.Results, r => Assert.True(r.ThrottledFor >= TimeSpan.FromMilliseconds(300 * 3), $"{r.Mailbox} waited {r.ThrottledFor}"));
        Assert.True(after.ThrottledResponses - before.ThrottledResponses >= 12);
        Assert.Equal(before.BackOffViolations, after.BackOffViolations);
        foreach (var user in users)
        {
            org.AssertMatchesTruth(user);
        }
    }

    [Fact]
    public async Task Back_offs_longer_than_a_call_waits_park_their_mailboxes_the_rest_sync_meanwhile_and_none_is_violated()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Take(6).ToList();
        var throttled = users.Take(2).ToList();
        // Longer than the four others take at two at a time even on a loaded machine (3 s was not, and a parked mailbox
        // came back before the last of them finished).
        Simulator.Control.SetThrottling(backOff: TimeSpan.FromSeconds(10));
        try
        {
            foreach (var user in throttled)
            {
                Simulator.Control.ThrottleMailbox(user, busyCalls: 1);
            }

            var before = Simulator.Control.Metrics;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var run = await org.SyncAsync(users, new SyncOptions { ThrottleLimit = 2 });
            var after = Simulator.Control.Metrics;

            Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
            Assert.Equal(users.Skip(2).OrderBy(u => u), run.Results.Take(4).Select(r => r.Mailbox).OrderBy(u => u));
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(10), $"the run took {clock.Elapsed}");
            Assert.All(run.Results, r => Assert.True(r.ThrottledFor < TimeSpan.FromSeconds(1), $"{r.Mailbox} held its worker for {r.ThrottledFor}"));
            Assert.Equal(before.BackOffViolations, after.BackOffViolations);
            Assert.Equal(2, throttled.Count(u => run.Lines.Any(l => l.StartsWith($"Warning: {u}", StringComparison.Ordinal) && l.Contains("Parked until"))));
            foreach (var user in users)
            {
                org.AssertMatchesTruth(user);
            }
        }
        finally
        {
            Simulator.Control.SetThrottling(backOff: TimeSpan.FromMilliseconds(300));
        }
    }

    [Fact]
    public async Task A_mailbox_still_busy_after_every_retry_is_parked_and_synced_once_the_rest_is_done()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Skip(10).Take(2).ToList();
        // The test client tries each call 6 times: 8 busy answers outlast one call's retries, not a second visit.
        Simulator.Control.ThrottleMailbox(users[0], busyCalls: 8);

        var approvals = 0;
        var options = new SyncOptions
        {
            ThrottleLimit = 2,
            RetryTransientAfter = TimeSpan.FromMilliseconds(200),
            Approve = _ =>
            {
                Interlocked.Increment(ref approvals);
                return Task.FromResult(SyncApproval.Proceed);
            },
        };

        var run = await org.SyncAsync(users, options);

        Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        Assert.Equal(users[1], run.Results[0].Mailbox);
        Assert.Equal(2, approvals);
        // The last busy answer carries its back-off: the mailbox is parked until it ends.
        Assert.Single(run.Lines, l => l.StartsWith($"Warning: {users[0]}", StringComparison.Ordinal) && l.Contains("Parked until the server's back-off ends"));
        org.AssertMatchesTruth(users[0]);
    }

    [Fact]
    public async Task A_mailbox_being_moved_fails_after_one_visit_and_is_left_to_the_next_run()
    {
        using var org = await _tenant.ConnectAsync();
        var moving = Simulator.Control.ListUsers().Single(u => u.Broken == "Moving").PrimarySmtpAddress;
        var before = Simulator.Control.Metrics.RequestsByOperation.GetValueOrDefault("GetFolder");

        var run = await org.SyncAsync(new[] { moving }, new SyncOptions { ThrottleLimit = 1, RetryTransientAfter = TimeSpan.FromMilliseconds(200) });

        var result = run.For(moving);
        Assert.Equal(SyncStatus.Failed, result.Status);
        Assert.Equal("EwsMailboxMoveInProgress", result.ErrorId);
        // One call's retries (the test client tries 6 times), and no second visit: a move outlasts a run.
        Assert.Equal(6, Simulator.Control.Metrics.RequestsByOperation.GetValueOrDefault("GetFolder") - before);
        Assert.Equal(RosterStatus.Failed, org.Store.GetRoster(org.Name, activeOnly: false).Single(e => e.Mailbox == moving).Status);
    }

    [Fact]
    public async Task Tokens_that_expire_mid_run_are_renewed_and_no_user_fails_for_it()
    {
        var lifetime = Simulator.Control.TokenLifetime;
        Simulator.Control.TokenLifetime = TimeSpan.FromSeconds(2);
        try
        {
            using var org = await _tenant.ConnectAsync();
            var users = _tenant.Users.Take(3).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2.5));

            var run = await org.SyncAsync(users, new SyncOptions { ThrottleLimit = 2 });

            Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        }
        finally
        {
            Simulator.Control.TokenLifetime = lifetime;
        }
    }

    [Fact]
    public async Task Preflight_only_reports_who_can_be_impersonated_and_activates_nobody()
    {
        using var org = await _tenant.ConnectAsync();
        var outOfScope = Simulator.Control.ListUsers().Single(u => u.Broken == "OutOfScope").PrimarySmtpAddress;

        var run = await org.PreflightAsync(new[] { _tenant.Users[0], outOfScope });

        Assert.True(run.Tests.Single(t => t.Mailbox == _tenant.Users[0]).CanImpersonate);
        Assert.Equal("EwsImpersonationDenied", run.Tests.Single(t => t.Mailbox == outOfScope).ErrorId);
        Assert.Empty(org.Store.GetRoster(org.Name, activeOnly: false));
    }

    [Fact]
    public async Task Mime_export_writes_one_eml_per_item()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[10 % _tenant.Users.Count];

        var run = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } },
            new SyncOptions { Folders = new[] { "inbox" }, IncludeMime = true, ContentPath = org.ContentPath });

        var result = run.For(user);
        Assert.Equal(SyncStatus.Synced, result.Status);
        var files = Directory.GetFiles(org.ContentPath, "*.eml", SearchOption.AllDirectories);
        Assert.Equal(Simulator.Control.GetItems(user, "inbox").Count, files.Length);
        Assert.Contains("Subject:", File.ReadAllText(files[0]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Mime_export_of_folders_read_together_writes_each_items_eml_once()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[11 % _tenant.Users.Count];

        // Inbox and Sent Items are activated together: their first pages share GetItem batches (of 16 with MIME).
        var run = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } },
            new SyncOptions { IncludeMime = true, ContentPath = org.ContentPath });

        Assert.Equal((SyncStatus.Synced, 2), (run.For(user).Status, run.For(user).Folders));
        var files = Directory.GetFiles(org.ContentPath, "*.eml", SearchOption.AllDirectories);
        Assert.Equal(Simulator.Control.GetItems(user, "inbox").Count + Simulator.Control.GetItems(user, "sentitems").Count, files.Length);
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task All_mail_folders_syncs_every_mail_folder_of_the_hierarchy_and_follows_new_ones()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[9 % _tenant.Users.Count];
        var options = new SyncOptions { AllMailFolders = true };

        await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } }, options);
        var added = Simulator.Control.CreateFolder(user, "Projects");
        Simulator.Control.CreateItem(user, added, "Kick-off");
        var rerun = (await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } }, options)).For(user);

        var mailFolders = Simulator.Control.GetFolders(user)
            .Where(f => f.FolderClass.StartsWith("IPF.Note", StringComparison.OrdinalIgnoreCase) && f.DistinguishedName is not "root" and not "msgfolderroot")
            .ToList();
        Assert.Equal(SyncStatus.Synced, rerun.Status);
        Assert.Equal(mailFolders.Count, rerun.Folders);
        Assert.Equal(1, rerun.ItemsAdded);
        org.AssertMatchesTruth(user, mailFolders.Select(f => f.FolderId).ToArray());
    }

    [Fact]
    public async Task Cancelling_keeps_every_finished_page_and_a_rerun_converges()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Take(4).ToList();
        Simulator.Control.SetFaults(latency: TimeSpan.FromMilliseconds(40));
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                org.SyncAsync(users.Select(u => new MailboxInput { PrimarySmtpAddress = u }), new SyncOptions { ThrottleLimit = 2 }, cancel.Token));
        }
        finally
        {
            Simulator.Control.SetFaults(latency: TimeSpan.Zero);
        }

        var partial = users.Sum(u => org.Stored(u).Rows);
        var rerun = await org.SyncAsync(users);

        Assert.All(rerun.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        foreach (var user in users)
        {
            org.AssertMatchesTruth(user);
        }

        Assert.True(partial < users.Sum(u => org.Stored(u).Rows), "the cancelled run must have stopped before the end");
    }
}

/// <summary>Runs that end for the whole organization: one clear error, not one per user.</summary>
public sealed class SyncOrganizationFailureTests : IClassFixture<SyncTenant>
{
    private readonly SyncTenant _tenant;

    public SyncOrganizationFailureTests(SyncTenant tenant) => _tenant = tenant;

    [Fact]
    public async Task A_revoked_refresh_token_stops_the_run_once_with_ReconnectServiceAccount()
    {
        var lifetime = _tenant.Simulator.Control.TokenLifetime;
        _tenant.Simulator.Control.TokenLifetime = TimeSpan.FromSeconds(1);
        try
        {
            // The service account's password changed: its refresh token is revoked and the access token runs out.
            using var org = await _tenant.ConnectAsync(delegated: true);
            _tenant.Simulator.Control.RevokeRefreshTokens();
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            var error = await Assert.ThrowsAnyAsync<InboxPS.Core.InboxException>(() => org.SyncAsync(_tenant.Users.Take(6)));

            Assert.Equal("ReconnectServiceAccount", error.ErrorId);
            Assert.Equal(InboxPS.Core.SyncFault.OrganizationSignIn, error.Fault);
            Assert.Contains("Connect-InboxImpersonation", error.RecommendedAction);
            Assert.DoesNotContain(org.Store.GetRoster(org.Name, activeOnly: false), e => e.Status == RosterStatus.Failed);
        }
        finally
        {
            _tenant.Simulator.Control.TokenLifetime = lifetime;
        }
    }

    [Fact]
    public async Task A_token_Exchange_refuses_even_when_fresh_stops_the_run_once()
    {
        var lifetime = _tenant.Simulator.Control.TokenLifetime;
        _tenant.Simulator.Control.TokenLifetime = TimeSpan.FromSeconds(1);
        try
        {
            // The app's full_access_as_app consent was withdrawn: every new token is refused by Exchange.
            using var org = await _tenant.ConnectAsync();
            _tenant.Simulator.Control.SetAppPermission(_tenant.Simulator.ClientId, granted: false);
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            var error = await Assert.ThrowsAnyAsync<InboxPS.Core.InboxException>(() => org.SyncAsync(_tenant.Users.Take(6)));

            Assert.Equal("EwsUnauthorized", error.ErrorId);
            Assert.Contains("full_access_as_app", error.RecommendedAction);
            Assert.DoesNotContain(_tenant.Simulator.ClientSecret, error.ToString());
            Assert.DoesNotContain(org.Store.GetRoster(org.Name, activeOnly: false), e => e.Status == RosterStatus.Failed);
        }
        finally
        {
            _tenant.Simulator.Control.SetAppPermission(_tenant.Simulator.ClientId, granted: true);
            _tenant.Simulator.Control.TokenLifetime = lifetime;
        }
    }
}
