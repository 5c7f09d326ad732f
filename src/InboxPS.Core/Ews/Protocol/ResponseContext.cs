using System;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>What is known about one request and its response, so any error found while reading it can say which
/// operation, mailbox and request it was.</summary>
internal sealed class ResponseContext
{
    public ResponseContext(string operation, MailboxIdentity? mailbox, string requestId)
    {
        Operation = operation;
        Mailbox = mailbox;
        RequestId = requestId;
    }

    public string Operation { get; }
    public MailboxIdentity? Mailbox { get; }
    public string RequestId { get; }
    public int? HttpStatus { get; set; }
    public string? ContentType { get; set; }
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Filled from the response's SOAP header, when it has one.</summary>
    public EwsServerVersion? ServerVersion { get; set; }

    /// <summary>"SyncFolderItems for alice@contoso.com".</summary>
    public string Describe() => Mailbox is null ? Operation : $"{Operation} for {Mailbox}";

    /// <summary>" (HTTP 500, client-request-id ...)".</summary>
    public string Trailer() => HttpStatus is { } status
        ? $" (HTTP {status}, client-request-id {RequestId})"
        : $" (client-request-id {RequestId})";
}
