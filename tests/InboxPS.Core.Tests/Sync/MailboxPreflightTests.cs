using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Test-InboxImpersonation's job: an answer per mailbox, nothing activated, nothing stored.</summary>
public sealed class MailboxPreflightTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Each_mailbox_gets_an_answer_and_nobody_is_activated()
    {
        _harness.Protocol.Add("alice@contoso.com", items: 3);
        _harness.Protocol.Add("denied@contoso.com").FailAlways(FakeCall.GetFolder, Faults.AccessDenied("denied@contoso.com"));

        var run = await _harness.PreflightAsync(new[] { "alice@contoso.com", "denied@contoso.com", "ghost@contoso.com", "no-address" });

        var answers = run.Results.Cast<ImpersonationTestResult>().ToDictionary(r => r.Mailbox, r => (r.CanImpersonate, r.ErrorId));
        Assert.Equal(new Dictionary<string, (bool, string?)>
        {
            ["alice@contoso.com"] = (true, null),
            ["denied@contoso.com"] = (false, "FakeAccessDenied"),
            ["ghost@contoso.com"] = (false, "FakeMailboxNotFound"),
            ["no-address"] = (false, "MailboxIdentityUnresolvable"),
        }, answers);
        Assert.Empty(_harness.Store.GetRoster(EngineHarness.Organization, activeOnly: false));
        Assert.Equal(0, _harness.Protocol.Add("unused@contoso.com").Calls(FakeCall.SyncFolders));
    }

    [Fact]
    public async Task A_throttled_preflight_is_parked_and_answered_on_the_second_visit()
    {
        var busy = _harness.Protocol.Add("busy@contoso.com");
        busy.Fail(FakeCall.GetFolder, Faults.Throttled(busy.Address));

        var run = await _harness.PreflightAsync(new[] { busy.Address }, new SyncOptions { RetryTransientAfter = TimeSpan.Zero });

        Assert.True(Assert.IsType<ImpersonationTestResult>(Assert.Single(run.Results)).CanImpersonate);
        Assert.Equal(2, busy.Calls(FakeCall.GetFolder));
    }
}
