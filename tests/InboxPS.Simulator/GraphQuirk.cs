namespace InboxPS.Simulator;

/// <summary>What real Exchange Online does over Graph that a naive client gets wrong, switched on through the control API.</summary>
public enum GraphQuirk
{
    /// <summary>A messages delta page comes back empty but with a nextLink (the position does not move).</summary>
    EmptyPage,

    /// <summary>A messages delta page starts with the last item of the page before it again (within a round or across rounds).</summary>
    Replay,

    /// <summary>
    /// A messages delta page sends each updated message with only what changed ("id + at least changed props"): the
    /// etag and change key, and the subject when it was edited. A flagged message carries nothing more.
    /// </summary>
    PartialUpdates,

    /// <summary>The next Graph request to the mailbox gets 503 serviceNotAvailable with Retry-After.</summary>
    Http503,

    /// <summary>The next Graph request to the mailbox gets 504 with Retry-After.</summary>
    Http504,
}
