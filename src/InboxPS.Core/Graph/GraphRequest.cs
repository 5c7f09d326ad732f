using System;
using System.Net.Http;

namespace InboxPS.Core.Graph;

/// <summary>One request as the client means it, before headers and retries: what, for whom, and where.</summary>
internal sealed class GraphRequest
{
    public GraphRequest(string operation, string mailbox, GraphRequestScope scope, Uri uri)
    {
        Operation = operation;
        Mailbox = mailbox;
        Scope = scope;
        Uri = uri;
    }

    public string Operation { get; }
    public string Mailbox { get; }
    public GraphRequestScope Scope { get; }
    public Uri Uri { get; }
    public HttpMethod Method { get; set; } = HttpMethod.Get;

    /// <summary>A JSON body (POST), or null.</summary>
    public byte[]? Body { get; set; }

    /// <summary>Prefer: odata.maxpagesize=N; docs resend it on every page of a delta round, and so does InboxPS.</summary>
    public int? MaxPageSize { get; set; }

    /// <summary>How many of the mailbox's concurrent requests this one is (a JSON batch: as many as the server runs at once).</summary>
    public int Slots { get; set; } = 1;

    /// <summary>The largest answer read; null: <see cref="GraphClientOptions.MaxResponseBytes"/>.</summary>
    public long? MaxResponseBytes { get; set; }

    /// <summary>The Accept header: JSON, except for MIME.</summary>
    public string Accept { get; set; } = "application/json";
}
