namespace InboxPS.Core.Sync;

/// <summary>One stored folder of a user with what the store holds in it.</summary>
public sealed class FolderStatistics
{
    public FolderStatistics(string folderId)
    {
        FolderId = folderId;
    }

    public string FolderId { get; }
    public string? DisplayName { get; set; }
    public string? WellKnownName { get; set; }

    /// <summary>True for folders that are synced (chosen by -Folder or -AllMailFolders); the rest are only known.</summary>
    public bool Selected { get; set; }
    public int Items { get; set; }

    /// <summary>Sum of the items' sizes in bytes, as the server reported them.</summary>
    public long Size { get; set; }
    public int Unread { get; set; }
    public int Skipped { get; set; }

    public override string ToString() => $"{DisplayName ?? FolderId}: {Items}";
}
