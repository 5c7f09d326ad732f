using System;

namespace InboxPS.Core.Sync;

public sealed class MailFolder
{
    public MailFolder(string id, string? parentId, string? displayName, string? folderClass)
    {
        Id = id;
        ParentId = parentId;
        DisplayName = displayName;
        FolderClass = folderClass;
    }

    public string Id { get; }
    public string? ParentId { get; }
    public string? DisplayName { get; }
    public string? FolderClass { get; }

    /// <summary>Mail folders are IPF.Note (or a subclass); calendars, contacts and tasks are not synced.</summary>
    public bool HoldsMail => FolderClass is null || FolderClass.StartsWith("IPF.Note", StringComparison.OrdinalIgnoreCase);
}
