namespace InboxPS.Core.Sync;

/// <summary>One item Export-InboxItem wrote as an .eml file, and where its content came from.</summary>
public sealed class ExportedItem
{
    public ExportedItem(StoredItem item, string path, ExportSource source)
    {
        Mailbox = item.Mailbox;
        Folder = item.Folder;
        Subject = item.Subject;
        ItemId = item.ItemId;
        Path = path;
        Source = source;
    }

    public string Mailbox { get; }
    public string? Folder { get; }
    public string? Subject { get; }
    public ExportSource Source { get; }
    public string Path { get; }
    public string ItemId { get; }

    public override string ToString() => Path;
}
