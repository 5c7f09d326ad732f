using System.Security.Cryptography.X509Certificates;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Core.Graph;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Integration.Tests.Support;
using InboxPS.Simulator;

namespace InboxPS.Integration.Tests.Sync;

/// <summary>
/// The GraphAppOnly access type end to end: real MSAL against the simulator's identity endpoint, real HTTPS to its
/// Graph endpoint, the real engine and real SQLite, compared with the simulator's ground truth after every run.
/// </summary>
public sealed class GraphEndToEndTests : IClassFixture<GraphTenant>
{
    private readonly GraphTenant _tenant;

    public GraphEndToEndTests(GraphTenant tenant) => _tenant = tenant;

    private ExchangeSimulator Simulator => _tenant.Simulator;

    private string TestMailbox => _tenant.Users[0];

    [Fact]
    public async Task A_client_secret_connects_with_a_graph_token_and_no_warning()
    {
        using var org = _tenant.NewOrg();

        var connection = await org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(Simulator.ClientSecret),
            ServiceAccount = TestMailbox,
        });

        Assert.Equal(AuthType.AppOnly, connection.AuthType);
        Assert.Equal(ConnectionStatus.Connected, connection.Status);
        var token = await connection.Tokens!.GetTokenAsync(false, CancellationToken.None);
        Assert.Contains("\"aud\":\"https://graph.microsoft.com\"", DecodePayload(token.Token), StringComparison.Ordinal);
        // Verbose lines name the connect's steps; nothing else may be said.
        Assert.DoesNotContain(org.ConnectLog.Lines, l => !l.StartsWith("Verbose:", StringComparison.Ordinal));
        Assert.Equal(TestMailbox, org.Store.GetOrganization(org.Name)!.ServiceAccount);
    }

    [Fact]
    public async Task A_certificate_file_and_a_certificate_object_connect()
    {
        using var org = _tenant.NewOrg();
        var fromFile = CertificateLoader.FromFile(Simulator.CertificatePath, EwsProbe.Secure(Simulator.CertificatePassword));
        Assert.Equal(ConnectionStatus.Connected,
            (await org.ConnectAsync(new SignInRequest(SignInMethod.Certificate) { Certificate = fromFile, ServiceAccount = TestMailbox })).Status);

        using var other = _tenant.NewOrg();
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(Simulator.CertificatePath, Simulator.CertificatePassword);
        var connection = await other.ConnectAsync(new SignInRequest(SignInMethod.Certificate) { Certificate = certificate, ServiceAccount = TestMailbox });
        Assert.Equal(SignInMethod.Certificate, connection.Method);
        Assert.Equal(SyncStatus.Synced, (await other.SyncAsync(new[] { _tenant.Users[1] }, new SyncOptions { Folders = new[] { "inbox" } })).For(_tenant.Users[1]).Status);
    }

    [Fact]
    public async Task A_managed_identity_connects_and_syncs()
    {
        using var org = _tenant.NewOrg();
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", Simulator.ManagedIdentityEndpoint.ToString());
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", Simulator.ManagedIdentityHeader);
        try
        {
            var connection = await org.ConnectAsync(new SignInRequest(SignInMethod.ManagedIdentity) { ServiceAccount = TestMailbox });
            Assert.Equal(Simulator.ManagedIdentityClientId, connection.AppId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", null);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", null);
        }

        var user = _tenant.Users[2];
        Assert.Equal(SyncStatus.Synced, (await org.SyncAsync(new[] { user })).For(user).Status);
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task A_given_graph_token_connects()
    {
        using var source = await _tenant.ConnectAsync();
        var token = await source.Connection.Tokens!.GetTokenAsync(false, CancellationToken.None);
        using var org = _tenant.NewOrg();

        var connection = await org.ConnectAsync(new SignInRequest(SignInMethod.AccessToken) { AccessToken = EwsProbe.Secure(token.Token), ServiceAccount = TestMailbox });

        Assert.Equal(SignInMethod.AccessToken, connection.Method);
        Assert.Equal(Simulator.ClientId, connection.AppId);
    }

    [Fact]
    public async Task An_app_with_only_Mail_ReadBasic_All_connects_with_a_warning_that_says_metadata_only()
    {
        Simulator.Control.SetGraphPermissions(Simulator.ClientId, new[] { "Mail.ReadBasic.All" });
        try
        {
            using var org = await _tenant.ConnectAsync();
            var warning = Assert.Single(org.ConnectLog.Lines, l => !l.StartsWith("Verbose:", StringComparison.Ordinal));
            Assert.StartsWith("Warning:", warning, StringComparison.Ordinal);
            Assert.Contains("metadata only", warning, StringComparison.Ordinal);
            Assert.Contains("Mail.Read", warning, StringComparison.Ordinal);
        }
        finally
        {
            Simulator.Control.SetGraphPermissions(Simulator.ClientId, new[] { "Mail.Read", "User.Read.All" });
        }
    }

    [Fact]
    public async Task An_app_without_any_graph_permission_is_refused_with_what_to_grant()
    {
        Simulator.Control.SetGraphPermissions(Simulator.ClientId, Array.Empty<string>());
        try
        {
            using var org = _tenant.NewOrg();
            var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret)
            {
                ClientSecret = EwsProbe.Secure(Simulator.ClientSecret),
                ServiceAccount = TestMailbox,
            }));

            Assert.Equal("GraphRefusedSignIn", error.ErrorId);
            Assert.Contains("Mail.Read", error.RecommendedAction, StringComparison.Ordinal);
            Assert.Contains("admin consent", error.RecommendedAction, StringComparison.Ordinal);
            Assert.Contains(org.ConnectLog.Lines, l => l.Contains("RBAC for Applications", StringComparison.Ordinal));
            Assert.Null(org.Registry.FindLive(org.Name));
            Assert.DoesNotContain(Simulator.ClientSecret, error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Simulator.Control.SetGraphPermissions(Simulator.ClientId, new[] { "Mail.Read", "User.Read.All" });
        }
    }

    [Fact]
    public async Task A_test_mailbox_outside_the_apps_scope_is_refused_with_the_RBAC_for_Applications_commands()
    {
        Simulator.Control.SetGraphMailboxScope(Simulator.ClientId, ImpersonationScope.Mailboxes, new[] { _tenant.Users[1] });
        try
        {
            using var org = _tenant.NewOrg();
            var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret)
            {
                ClientSecret = EwsProbe.Secure(Simulator.ClientSecret),
                ServiceAccount = TestMailbox,
            }));

            Assert.Equal("GraphAccessNotGranted", error.ErrorId);
            Assert.Equal(InboxErrorKind.PermissionDenied, error.Kind);
            foreach (var command in new[] { "New-ServicePrincipal", "New-ManagementScope", "New-ManagementRoleAssignment -App", "\"Application Mail.Read\"", "-CustomResourceScope", "New-ApplicationAccessPolicy", "tenant-wide Mail.Read consent" })
            {
                Assert.Contains(command, error.RecommendedAction, StringComparison.Ordinal);
            }

            Assert.Contains(TestMailbox, error.RecommendedAction, StringComparison.Ordinal);
        }
        finally
        {
            Simulator.Control.SetGraphMailboxScope(Simulator.ClientId, ImpersonationScope.All);
        }
    }

    [Fact]
    public async Task A_service_account_without_a_licensed_mailbox_is_refused_over_Graph_saying_what_to_assign()
    {
        using var org = _tenant.NewOrg();
        const string unlicensed = "svc-unlicensed@contoso.test";

        var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret)
        {
            ClientSecret = EwsProbe.Secure(Simulator.ClientSecret),
            ServiceAccount = unlicensed,
        }));

        Assert.Equal("TestMailboxNotFound", error.ErrorId);
        Assert.Contains($"assign {unlicensed} a licence that includes Exchange Online", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_mailbox_named_by_its_primary_address_and_by_its_upn_is_one_roster_entry_over_Graph()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[5];
        var upn = Simulator.Control.ListUsers().Single(u => u.PrimarySmtpAddress == user).Aliases.Single();

        var both = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user }, new MailboxInput { UserPrincipalName = upn } });
        await org.SyncAsync(new[] { new MailboxInput { UserPrincipalName = upn } });

        Assert.Single(both.Results, r => r.Status == SyncStatus.Synced);
        Assert.Single(both.Results, r => r.Status == SyncStatus.Skipped);
        var entry = Assert.Single(org.Store.GetRoster(org.Name, activeOnly: false));
        org.AssertMatchesTruth(entry.Mailbox);
    }

    [Fact]
    public async Task An_EWS_sign_in_method_does_not_fit_GraphAppOnly()
    {
        using var org = _tenant.NewOrg();
        var error = await Assert.ThrowsAsync<InboxException>(() => org.ConnectAsync(new SignInRequest(SignInMethod.Interactive)));
        Assert.Equal("SignInDoesNotMatchAccessType", error.ErrorId);
    }

    [Fact]
    public async Task First_sync_over_Graph_stores_every_item_exactly_once_and_activates_each_user()
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
            Assert.Equal(Simulator.Control.GetItems(user, "inbox").Count + Simulator.Control.GetItems(user, "sentitems").Count, result.ItemsAdded);
            org.AssertMatchesTruth(user);
        }

        Assert.All(org.Store.GetRoster(org.Name, activeOnly: true), e => Assert.Equal(RosterStatus.Synced, e.Status));
    }

    [Fact]
    public async Task Incremental_rounds_converge_after_creates_updates_deletes_read_flags_and_moves()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[3];
        await org.SyncAsync(new[] { user });

        var quiet = (await org.SyncAsync(new[] { user })).For(user);
        Assert.Equal((0, 0, 0), (quiet.ItemsAdded, quiet.ItemsUpdated, quiet.ItemsDeleted));
        Assert.False(quiet.Activated);

        Simulator.Control.InjectChanges(user, "inbox", creates: 9, updates: 3, deletes: 4, readFlagChanges: 5);
        var moved = Simulator.Control.GetItems(user, "inbox")[0].ItemId;
        var movedBack = Simulator.Control.GetItems(user, "sentitems")[0].ItemId;
        Simulator.Control.MoveItem(moved, "sentitems");
        // Both ways: with immutable ids the folder a message went to may be synced before the one it left.
        Simulator.Control.MoveItem(movedBack, "inbox");
        var rerun = (await org.SyncAsync(new[] { user })).For(user);

        Assert.Equal(SyncStatus.Synced, rerun.Status);
        Assert.True(rerun.ItemsAdded >= 9, $"added {rerun.ItemsAdded}");
        Assert.True(rerun.ItemsDeleted >= 4, $"deleted {rerun.ItemsDeleted}");
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task Partial_updates_of_subjects_flags_and_read_flags_are_applied_without_reading_a_message_and_converge()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[9];
        await org.SyncAsync(new[] { user });
        var inbox = Simulator.Control.GetItems(user, "inbox");
        var (renamed, flagged, both, read, unstored) = (inbox[0].ItemId, inbox[1].ItemId, inbox[2].ItemId, inbox[3].ItemId, inbox[4].ItemId);
        Simulator.Control.UpdateItem(renamed, "Renamed over Graph");
        Simulator.Control.FlagItem(flagged);
        Simulator.Control.UpdateItem(both, "Renamed and flagged");
        Simulator.Control.FlagItem(both);
        Simulator.Control.SetReadFlag(read, !inbox[3].IsRead);
        Simulator.Control.FlagItem(unstored);
        org.ForgetStoredItem(user, Simulator.Control.GraphItemId(unstored, immutable: true));

        // Exchange Online sends an updated message as its id and what changed (graph-reference §3).
        Simulator.Control.SetGraphQuirkRate(GraphQuirk.PartialUpdates, 1);
        MailboxSyncResult rerun;
        GraphMetrics before, after;
        try
        {
            before = Simulator.Control.Metrics.Graph;
            rerun = (await org.SyncAsync(new[] { user })).For(user);
            after = Simulator.Control.Metrics.Graph;
        }
        finally
        {
            Simulator.Control.SetGraphQuirkRate(GraphQuirk.PartialUpdates, 0);
        }

        Assert.Equal(SyncStatus.Synced, rerun.Status);
        Assert.Equal((1, 4, 0, 0), (rerun.ItemsAdded, rerun.ItemsUpdated, rerun.ItemsDeleted, rerun.ItemsSkipped));

        // One GET: the changed message the store did not have, read whole. The four others travelled as they came.
        Assert.Equal(1, MessageGets(after) - MessageGets(before));
        org.AssertMatchesTruth(user);
        var stored = org.StoredVersions(user);
        foreach (var item in Simulator.Control.GetItems(user, "inbox"))
        {
            Assert.Equal((item.Subject, item.ChangeKey), stored[Simulator.Control.GraphItemId(item.ItemId, immutable: true)]);
        }

        Assert.Empty(org.Store.GetSkippedItems(org.Name, user, org.Store.GetFolders(org.Name, user).Single(f => f.WellKnownName == "inbox").FolderId));

        static long MessageGets(GraphMetrics metrics) => metrics.RequestsByEndpoint.TryGetValue("message", out var count) ? count : 0;
    }

    [Fact]
    public async Task Expired_delta_tokens_resync_only_that_folder_with_no_duplicates()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[4];
        await org.SyncAsync(new[] { user });
        Simulator.Control.InjectChanges(user, "inbox", creates: 2, deletes: 2);
        Simulator.Control.ExpireDeltaTokens(user, "inbox");

        var run = await org.SyncAsync(new[] { user });

        Assert.Equal(SyncStatus.Synced, run.For(user).Status);
        Assert.Contains(run.Lines, line => line.Contains("no longer valid", StringComparison.Ordinal));
        org.AssertMatchesTruth(user);
    }

    [Fact]
    public async Task A_folder_deleted_mid_round_is_dropped_with_its_items_and_the_rest_of_the_mailbox_syncs()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[11];
        var options = new SyncOptions { AllMailFolders = true };
        var projects = Simulator.Control.CreateFolder(user, "Launch plans");
        Simulator.Control.CreateItem(user, projects, "Kick-off");
        Simulator.Control.CreateItem(user, projects, "Minutes");
        await org.SyncAsync(new[] { user }, options);
        var before = org.Store.GetFolders(org.Name, user).Count;
        Simulator.Control.InjectChanges(user, "inbox", creates: 2);

        // Deleted on the server after this round read the hierarchy, before it reads the folder's items.
        var run = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } }, options,
            around: protocol => new BeforeItems(protocol, () => Simulator.Control.DeleteFolder(user, projects)));

        var result = run.For(user);
        Assert.Equal((SyncStatus.Synced, 2), (result.Status, result.ItemsAdded));
        Assert.Contains(run.Lines, l => l.Contains("folder 'Launch plans' no longer exists", StringComparison.Ordinal));
        Assert.Equal(before - 1, org.Store.GetFolders(org.Name, user).Count);
        Assert.DoesNotContain(org.Store.GetFolders(org.Name, user), f => f.DisplayName == "Launch plans");
        org.AssertMatchesTruth(user, graphIds: true, MailFolders(user));
        var next = (await org.SyncAsync(new[] { user }, options)).For(user);
        Assert.Equal((SyncStatus.Synced, 0, 0), (next.Status, next.ItemsAdded, next.ItemsDeleted));
    }

    [Fact]
    public async Task Broken_mailboxes_fail_with_Graph_error_ids_and_advice_and_preflight_activates_nobody()
    {
        using var org = await _tenant.ConnectAsync();
        var outOfScope = Simulator.Control.ListUsers().Single(u => u.Broken == "OutOfScope").PrimarySmtpAddress;
        var unlicensed = Simulator.Control.ListUsers().Single(u => u.Broken == "NoLicense").PrimarySmtpAddress;

        var test = await org.PreflightAsync(new[] { _tenant.Users[0], outOfScope, unlicensed, "nobody@contoso.test" });

        Assert.True(test.Tests.Single(t => t.Mailbox == _tenant.Users[0]).CanImpersonate);
        var denied = test.Tests.Single(t => t.Mailbox == outOfScope);
        Assert.Equal("GraphAccessDenied", denied.ErrorId);
        Assert.Contains("New-ManagementRoleAssignment -App", denied.RecommendedAction, StringComparison.Ordinal);
        Assert.StartsWith("GraphMailbox", test.Tests.Single(t => t.Mailbox == unlicensed).ErrorId, StringComparison.Ordinal);
        Assert.Equal("GraphMailboxNotFound", test.Tests.Single(t => t.Mailbox == "nobody@contoso.test").ErrorId);
        Assert.Empty(org.Store.GetRoster(org.Name, activeOnly: false));

        var run = await org.SyncAsync(new[] { outOfScope, unlicensed });
        Assert.All(run.Results, r => Assert.Equal(SyncStatus.Failed, r.Status));
        Assert.Equal("GraphAccessDenied", run.For(outOfScope).ErrorId);
    }

    [Fact]
    public async Task Get_MgUser_shaped_records_bind_by_Mail_or_UserPrincipalName_or_Id_alone()
    {
        using var org = await _tenant.ConnectAsync();
        var user = Simulator.Control.GetUser(_tenant.Users[5]);
        var byId = Simulator.Control.GetUser(_tenant.Users[6]);
        var options = new SyncOptions { Folders = new[] { "inbox" } };

        var run = await org.SyncAsync(new[]
        {
            new MailboxInput { UserPrincipalName = user.UserPrincipalName },
            new MailboxInput { ExternalDirectoryObjectId = byId.ObjectId },
            new MailboxInput { ExternalDirectoryObjectId = Guid.NewGuid().ToString() },
        }, options);

        Assert.Equal(SyncStatus.Synced, run.For(user.UserPrincipalName).Status);
        // Graph addresses a user by object id: the mailbox of that id, stored once, synced again by a scheduled run.
        var synced = run.For(byId.ObjectId);
        Assert.Equal((SyncStatus.Synced, Simulator.Control.GetItems(byId.PrimarySmtpAddress, "inbox").Count), (synced.Status, synced.ItemsAdded));
        Assert.Equal("GraphMailboxNotFound", run.Results.Single(r => r.Status == SyncStatus.Failed).ErrorId);
        var scheduled = await org.SyncAsync(org.Store.GetRoster(org.Name, activeOnly: true).Select(MailboxInput.FromRoster), options);
        Assert.Equal((SyncStatus.Synced, 0), (scheduled.For(byId.ObjectId).Status, scheduled.For(byId.ObjectId).ItemsAdded));
    }

    [Fact]
    public async Task A_throttling_storm_ends_with_every_user_synced_no_Retry_After_violation_and_at_most_4_requests_per_mailbox()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Skip(6).Take(4).ToList();
        // A storm: each mailbox may make 2 requests a second; every 429 carries a Retry-After that must be waited out.
        Simulator.Control.SetGraphThrottling(requestsPerWindow: 2, window: TimeSpan.FromSeconds(1));
        var before = Simulator.Control.Metrics.Graph;
        try
        {
            var run = await org.SyncAsync(users, new SyncOptions { ThrottleLimit = 8 });

            Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        }
        finally
        {
            Simulator.Control.SetGraphThrottling(requestsPerWindow: 10000, window: TimeSpan.FromMinutes(10));
        }

        var after = Simulator.Control.Metrics.Graph;
        Assert.True(after.ThrottledByCause.Values.Sum() - before.ThrottledByCause.Values.Sum() >= 4, "the storm must throttle: " + string.Join(",", after.ThrottledByCause) + " / " + string.Join(",", after.ResponsesByStatus) + " requests " + (after.Requests - before.Requests));
        Assert.Equal(before.RetryAfterViolations, after.RetryAfterViolations);
        Assert.True(after.PeakConcurrencyAnyMailbox <= 4, $"peak {after.PeakConcurrencyAnyMailbox} requests at once on one mailbox");
        foreach (var user in users)
        {
            org.AssertMatchesTruth(user);
        }
    }

    [Fact]
    public async Task A_multi_second_Retry_After_parks_its_mailbox_the_others_finish_meanwhile_and_none_is_violated()
    {
        using var org = await _tenant.ConnectAsync();
        var users = _tenant.Users.Skip(2).Take(6).ToList();
        var throttled = users.Take(2).ToList();
        foreach (var user in throttled)
        {
            Simulator.Control.ThrottleMailbox(user, busyCalls: 1, backOff: TimeSpan.FromSeconds(3));
        }

        var before = Simulator.Control.Metrics.Graph;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await org.SyncAsync(users, new SyncOptions { ThrottleLimit = 2 });
        var after = Simulator.Control.Metrics.Graph;

        Assert.All(run.Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        // The throttled mailboxes come last: their workers took the others while the 3 s ran, instead of sleeping it out.
        Assert.Equal(users.Skip(2).OrderBy(u => u), run.Results.Take(4).Select(r => r.Mailbox).OrderBy(u => u));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"the run took {clock.Elapsed}");
        Assert.All(run.Results, r => Assert.True(r.ThrottledFor < TimeSpan.FromSeconds(1), $"{r.Mailbox} held its worker for {r.ThrottledFor}"));
        Assert.Equal(before.RetryAfterViolations, after.RetryAfterViolations);
        Assert.Equal(2, throttled.Count(u => run.Lines.Any(l => l.StartsWith($"Warning: {u}", StringComparison.Ordinal) && l.Contains("Parked until"))));
        foreach (var user in users)
        {
            org.AssertMatchesTruth(user);
        }
    }

    [Fact]
    public async Task A_big_mailboxs_folders_sync_side_by_side_never_more_than_4_requests_at_once_nor_against_a_Retry_After()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[1];
        for (var i = 0; i < 4; i++)
        {
            var folder = Simulator.Control.CreateFolder(user, $"Big {i}");
            for (var j = 0; j < 5; j++)
            {
                Simulator.Control.CreateItem(user, folder, $"Item {i}.{j}");
            }
        }

        // Slow answers, so folders overlap, and a tight per-mailbox budget, so 429s with Retry-After fall among them.
        Simulator.Control.SetGraphThrottling(requestsPerWindow: 12, window: TimeSpan.FromSeconds(1), latency: TimeSpan.FromMilliseconds(80));
        CapturingSink run;
        try
        {
            run = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } }, new SyncOptions { AllMailFolders = true, ThrottleLimit = 1 });
        }
        finally
        {
            Simulator.Control.SetGraphThrottling(requestsPerWindow: 10000, window: TimeSpan.FromMinutes(10), latency: TimeSpan.Zero);
        }

        var metrics = Simulator.Control.Metrics.Graph;
        var peak = metrics.PeakConcurrencyByMailbox.Single(p => string.Equals(p.Key, user, StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Equal(SyncStatus.Synced, run.For(user).Status);
        Assert.InRange(peak, 2, 4);
        Assert.Equal(0, metrics.RetryAfterViolationsByMailbox.Where(p => string.Equals(p.Key, user, StringComparison.OrdinalIgnoreCase)).Sum(p => p.Value));
        org.AssertMatchesTruth(user, graphIds: true, MailFolders(user));
    }

    [Fact]
    public async Task Mime_export_writes_the_servers_bytes_for_every_item()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[7];

        var run = await org.SyncAsync(new[] { new MailboxInput { PrimarySmtpAddress = user } },
            new SyncOptions { Folders = new[] { "inbox" }, IncludeMime = true, ContentPath = org.ContentPath });

        Assert.Equal(SyncStatus.Synced, run.For(user).Status);
        var (stored, _) = org.Stored(user);
        Assert.Equal(Simulator.Control.GetItems(user, "inbox").Count, stored.Count);
        foreach (var (id, item) in stored)
        {
            Assert.NotNull(item.MimePath);
            Assert.Equal(await org.ServerMimeAsync(user, id), await File.ReadAllBytesAsync(Path.Combine(org.ContentPath, item.MimePath!)));
        }
    }

    [Fact]
    public async Task A_429_inside_a_MIME_batch_is_waited_out_before_those_messages_are_read_again_with_no_Retry_After_violation()
    {
        using var org = await _tenant.ConnectAsync();
        var user = _tenant.Users[10];
        using var handler = _tenant.Trust.CreateHandler();
        using var client = Core.Hosting.GraphAccess.ClientFor(org.Connection, handler);
        // As many as the server runs at once: they all arrive before, or within the grace of, the first 429, so the
        // batch itself never runs one into the Retry-After it started.
        var ids = Simulator.Control.GetItems(user, "inbox").Take(4).Select(i => Simulator.Control.GraphItemId(i.ItemId, immutable: true)).ToList();

        // The mailbox's next request is refused with a Retry-After of 1 s: a request inside the batch.
        Simulator.Control.ThrottleMailbox(user, 1, TimeSpan.FromSeconds(1));
        var before = Simulator.Control.Metrics.Graph;
        var metrics = new CallMetrics();
        var mime = await client.GetMimeBatchAsync(user, ids, metrics, CancellationToken.None);
        var after = Simulator.Control.Metrics.Graph;

        Assert.Equal(1, after.RequestsByEndpoint["$batch"] - before.RequestsByEndpoint.GetValueOrDefault("$batch"));
        var throttled = after.ResponsesByStatus.GetValueOrDefault("429") - before.ResponsesByStatus.GetValueOrDefault("429");
        Assert.True(throttled >= 1, "the batch must have met the throttling: " + string.Join(",", after.ResponsesByStatus));
        Assert.Equal(0, after.RetryAfterViolations - before.RetryAfterViolations);

        // Every throttled message was read again once, after the wait: sent sooner, it would have met the back-off again.
        Assert.Equal((1 + throttled, 0), (metrics.Requests, metrics.Retries));
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal(await org.ServerMimeAsync(user, ids[i]), mime[i]);
        }
    }

    [Fact]
    public async Task Switching_EWS_to_Graph_and_back_rebaselines_each_user_with_nothing_duplicated_or_lost()
    {
        using var org = await _tenant.ConnectAsync(AccessType.OAuthAppOnly);
        var users = _tenant.Users.Skip(8).Take(3).ToList();
        var options = new SyncOptions { AllMailFolders = true, IncludeMime = true, ContentPath = org.ContentPath };
        Assert.All((await org.SyncAsync(users, options)).Results, r => Assert.Equal(SyncStatus.Synced, r.Status));
        users.ForEach(u => org.AssertMatchesTruth(u, graphIds: false, MailFolders(u)));

        foreach (var (accessType, graphIds) in new[] { (AccessType.GraphAppOnly, true), (AccessType.OAuthAppOnly, false) })
        {
            Assert.True(org.SetAccessType(accessType).InvalidatesSignIn);
            await org.ConnectAsync(new SignInRequest(SignInMethod.ClientSecret) { ClientSecret = EwsProbe.Secure(Simulator.ClientSecret), ServiceAccount = TestMailbox });
            Assert.All(org.Store.GetRoster(org.Name, activeOnly: true), e => Assert.Equal(RosterStatus.Rebaselining, e.Status));
            Simulator.Control.InjectChanges(users[0], "inbox", creates: 2, deletes: 1, readFlagChanges: 1);
            Simulator.Control.MoveItem(Simulator.Control.GetItems(users[0], "inbox")[0].ItemId, "sentitems");

            // The scheduled run: no input, every activated user.
            var run = await org.SyncAsync(org.Store.GetRoster(org.Name, activeOnly: true).Select(MailboxInput.FromRoster), options);

            Assert.Equal(users.Count, run.Results.Count);
            Assert.All(run.Results, r => Assert.Equal((SyncStatus.Synced, false, true), (r.Status, r.Activated, r.Rebaselined)));
            // Only what the server created since is new; the moved item is matched, the deleted one removed.
            Assert.Equal((2, 1), (run.For(users[0]).ItemsAdded, run.For(users[0]).ItemsDeleted));
            Assert.All(users.Skip(1), u => Assert.Equal((0, 0), (run.For(u).ItemsAdded, run.For(u).ItemsDeleted)));
            Assert.Contains("Re-baselined", run.For(users[1]).Message, StringComparison.Ordinal);
            foreach (var user in users)
            {
                var folders = MailFolders(user);
                org.AssertMatchesTruth(user, graphIds, folders);
                var (storedFolders, storedItems) = org.Store.CountStored(org.Name, user);
                Assert.Equal(folders.Sum(f => Simulator.Control.GetItems(user, f).Count), storedItems);
                Assert.True(storedFolders <= folders.Length, $"{user}: {storedFolders} folders selected, the mailbox has {folders.Length}");

                // One .eml file per item, each the one the store names: none left behind by the other protocol.
                var paths = org.Stored(user).Items.Values.Select(i => i.MimePath).ToList();
                Assert.All(paths, path => Assert.True(path is not null && File.Exists(path), path));
                Assert.Equal(paths.Order(StringComparer.Ordinal), EmlFiles(org, user));
            }

            Assert.All(org.Store.GetRoster(org.Name, activeOnly: true), e => Assert.Equal(RosterStatus.Synced, e.Status));
            var next = await org.SyncAsync(users, options);
            Assert.All(next.Results, r => Assert.Equal((SyncStatus.Synced, false, 0, 0), (r.Status, r.Rebaselined, r.ItemsAdded, r.ItemsDeleted)));
        }
    }

    private static IEnumerable<string> EmlFiles(GraphTenant.Org org, string user) =>
        Directory.EnumerateFiles(Path.Combine(org.ContentPath, user.ToLowerInvariant()), "*.eml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal);

    /// <summary>The real protocol, with <c>act</c> run once on the server just before the round's first item page is read.</summary>
    private sealed class BeforeItems : IMailboxProtocol
    {
        private readonly IMailboxProtocol _inner;
        private Action? _act;

        public BeforeItems(IMailboxProtocol inner, Action act) => (_inner, _act) = (inner, act);

        public IMailboxSession Open(MailboxTarget mailbox) => new Session(this, _inner.Open(mailbox));

        private sealed class Session(BeforeItems owner, IMailboxSession inner) : IMailboxSession
        {
            public MailboxTarget Mailbox => inner.Mailbox;
            public int Requests => inner.Requests;
            public TimeSpan ThrottledFor => inner.ThrottledFor;

            public Task<MailFolder> GetWellKnownFolderAsync(string wellKnownName, CancellationToken cancellationToken) =>
                inner.GetWellKnownFolderAsync(wellKnownName, cancellationToken);

            public Task<FolderPage> SyncFoldersAsync(string? state, CancellationToken cancellationToken) => inner.SyncFoldersAsync(state, cancellationToken);

            public Task<ItemPage> SyncItemsAsync(string folderId, string? state, bool includeMime, CancellationToken cancellationToken)
            {
                Interlocked.Exchange(ref owner._act, null)?.Invoke();
                return inner.SyncItemsAsync(folderId, state, includeMime, cancellationToken);
            }
        }
    }

    private string[] MailFolders(string user) =>
        Simulator.Control.GetFolders(user).Where(f => f.FolderClass == "IPF.Note").Select(f => f.FolderId).ToArray();

    private static string DecodePayload(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(payload));
    }
}
