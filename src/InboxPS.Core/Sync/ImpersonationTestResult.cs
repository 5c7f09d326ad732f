using System;

namespace InboxPS.Core.Sync;

/// <summary>Test-InboxImpersonation's answer for one mailbox: may the service account impersonate it?</summary>
public sealed class ImpersonationTestResult
{
    public ImpersonationTestResult(string organization, string mailbox)
    {
        Organization = organization;
        Mailbox = mailbox;
    }

    public string Organization { get; }
    public string Mailbox { get; }
    public bool CanImpersonate { get; set; }
    public TimeSpan Duration { get; set; }
    public string? ErrorId { get; set; }
    public string? Message { get; set; }
    public string? RecommendedAction { get; set; }

    internal InboxException? Error { get; set; }

    public InboxException? GetError() => Error;

    public override string ToString() => $"{Mailbox}: {(CanImpersonate ? "OK" : ErrorId)}";
}
