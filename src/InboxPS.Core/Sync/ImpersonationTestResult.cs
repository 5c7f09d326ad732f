using System;

namespace InboxPS.Core.Sync;

/// <summary>Test-InboxImpersonation's answer for one mailbox: may the service account impersonate it?</summary>
public sealed class ImpersonationTestResult : MailboxOutcome
{
    public ImpersonationTestResult(string organization, string mailbox)
    {
        Organization = organization;
        Mailbox = mailbox;
    }

    public override string Organization { get; }
    public override string Mailbox { get; }
    public bool CanImpersonate { get; set; }
    public override TimeSpan Duration { get; set; }
    public override string? ErrorId { get; set; }
    public override string? Message { get; set; }
    public override string? RecommendedAction { get; set; }

    public override string ToString() => $"{Mailbox}: {(CanImpersonate ? "OK" : ErrorId)}";

    private protected override void OnFailed() => CanImpersonate = false;
}
