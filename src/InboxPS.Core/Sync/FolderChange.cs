namespace InboxPS.Core.Sync;

public sealed class FolderChange
{
    public FolderChange(MailChangeKind kind, string folderId, MailFolder? folder)
    {
        Kind = kind;
        FolderId = folderId;
        Folder = folder;
    }

    public MailChangeKind Kind { get; }
    public string FolderId { get; }
    public MailFolder? Folder { get; }
}
