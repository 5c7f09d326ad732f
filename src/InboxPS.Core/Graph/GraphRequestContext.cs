using System;

namespace InboxPS.Core.Graph;

/// <summary>What a request was about, so an error can name the mailbox and decide between folder- and item-scoped meanings.</summary>
internal enum GraphRequestScope
{
    /// <summary>The request names the mailbox only (mailFolders/delta, translateExchangeIds).</summary>
    Mailbox,

    /// <summary>The request names one folder (a well-known folder, a folder's messages/delta).</summary>
    Folder,

    /// <summary>The request names one message (its properties or its MIME).</summary>
    Item,
}

/// <summary>One attempt of one request: its operation, mailbox and client-request-id, and what the answer said.</summary>
internal sealed class GraphRequestContext
{
    public GraphRequestContext(string operation, string mailbox, GraphRequestScope scope)
    {
        Operation = operation;
        Mailbox = mailbox;
        Scope = scope;
        RequestId = Guid.NewGuid().ToString();
    }

    public string Operation { get; }
    public string Mailbox { get; }
    public GraphRequestScope Scope { get; }
    public string RequestId { get; }
    public int? HttpStatus { get; set; }
    public TimeSpan? RetryAfter { get; set; }

    public string Describe() => $"Graph {Operation} for {Mailbox}";

    public string Trailer() => $" (client-request-id {RequestId})";
}
