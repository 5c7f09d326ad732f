namespace InboxPS.Core.Graph;

/// <summary>
/// The stable ErrorIds Graph failures carry (the FullyQualifiedErrorId prefix admins script against). The engine reacts
/// to <see cref="InboxException.Fault"/>, never to these.
/// </summary>
public static class GraphErrorIds
{
    public const string AccessDenied = "GraphAccessDenied";
    public const string MailboxNotEnabled = "GraphMailboxNotEnabled";
    public const string MailboxNotFound = "GraphMailboxNotFound";
    public const string ItemNotFound = "GraphItemNotFound";
    public const string FolderNotFound = "GraphFolderNotFound";
    public const string InvalidSyncState = "GraphInvalidSyncState";
    public const string Throttled = "GraphThrottled";
    public const string ServiceUnavailable = "GraphServiceUnavailable";
    public const string Unauthorized = "GraphUnauthorized";
    public const string RequestFailed = "GraphRequestFailed";
    public const string InvalidResponse = "GraphInvalidResponse";
    public const string ResponseTooLarge = "GraphResponseTooLarge";
    public const string Timeout = "GraphTimeout";
    public const string ConnectionFailed = "GraphConnectionFailed";
    public const string TlsFailure = "GraphTlsFailure";
    public const string PlainHttpRefused = "GraphPlainHttpRefused";
    public const string DeltaUnsupported = "GraphDeltaUnsupported";
}
