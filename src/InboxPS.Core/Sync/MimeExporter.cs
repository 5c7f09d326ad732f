using System;
using System.Collections.Generic;
using System.IO;

namespace InboxPS.Core.Sync;

/// <summary>
/// Writes messages as .eml files below -ContentPath in Export-InboxItem's readable layout: a folder per mailbox (its
/// address), below it one per mail folder (its display name), files named by <see cref="PortableName.ForMessage"/>.
/// Each file is written atomically (temp file + move) before its page is committed to the store, so a stored item's path
/// always names a whole file; a rerun overwrites. Paths are stored per item, so files written in an earlier layout stay
/// valid. Two mail folders of one name share a folder on disk: the item-id hash keeps their files apart.
/// </summary>
public sealed class MimeExporter
{
    private readonly string _contentPath;

    public MimeExporter(string contentPath)
    {
        _contentPath = contentPath;
    }

    /// <summary>Writes the items that carry MIME and returns item id => path for the store.</summary>
    /// <exception cref="InboxException">ContentPathWriteFailed: a full disk or an unwritable folder fails this mailbox, not the run.</exception>
    public IReadOnlyDictionary<string, string> Export(string mailbox, StoredFolder mailFolder, IReadOnlyList<MailItem> items)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            string? folder = null;
            foreach (var item in items)
            {
                if (item.Mime is null)
                {
                    continue;
                }

                if (folder is null)
                {
                    // Mail is owner-only, like the token cache: 0700 folders, 0600 files on Linux and macOS.
                    Directory.CreateDirectory(_contentPath);
                    var mailboxFolder = Path.Combine(_contentPath, PortableName.For(mailbox.ToLowerInvariant()));
                    OwnerOnlyAccess.CreateFolder(mailboxFolder);
                    folder = Path.Combine(mailboxFolder, PortableName.For(mailFolder.DisplayName ?? mailFolder.FolderId));
                    OwnerOnlyAccess.CreateFolder(folder);
                }

                var path = Path.Combine(folder, PortableName.ForMessage(item.Received, item.Subject, item.Id));
                WriteAtomically(path, item.Mime);
                paths[item.Id] = path;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InboxException("ContentPathWriteFailed", InboxErrorKind.WriteError,
                $"Could not write the .eml files of {mailbox}: {e.Message}",
                "Check that -ContentPath exists, is writable and has free space, then run Start-InboxSync again for this user.",
                mailbox, e);
        }

        return paths;
    }

    /// <summary>Writes a whole file or none: a temp file moved over the old one (also used by Export-InboxItem).</summary>
    internal static void WriteAtomically(string path, byte[] content)
    {
        var temp = path + ".tmp";
        if (File.Exists(temp))
        {
            File.Delete(temp); // left by a killed run
        }

        OwnerOnlyAccess.WriteNew(temp, content);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        File.Move(temp, path);
    }
}
