namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when several of its mailbox's folders may be synced side by side
/// (one request at a time per folder): the session itself keeps the mailbox within the server's limit. A session
/// without it has its folders synced one after another.
/// </summary>
public interface IConcurrentFolders
{
    /// <summary>How many folders of this mailbox may be synced at once (1 or more).</summary>
    int FolderParallelism { get; }
}
