using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace InboxPS.Core.Sync;

/// <summary>
/// Writes messages as .eml files below -ContentPath: one folder per mailbox, one below it per mail folder. Each file is
/// written atomically (temp file + move) before its page is committed to the store, so a stored item's path always
/// names a whole file; a rerun overwrites.
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
    public IReadOnlyDictionary<string, string> Export(string mailbox, string folderId, IReadOnlyList<MailItem> items)
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
                    var mailboxFolder = Path.Combine(_contentPath, SafeName(mailbox));
                    OwnerOnlyAccess.CreateFolder(mailboxFolder);
                    folder = Path.Combine(mailboxFolder, Hash(folderId));
                    OwnerOnlyAccess.CreateFolder(folder);
                }

                var path = Path.Combine(folder, Hash(item.Id) + ".eml");
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

    private static string SafeName(string mailbox)
    {
        var builder = new StringBuilder(mailbox.Length);
        foreach (var c in mailbox.ToLowerInvariant())
        {
            builder.Append(char.IsLetterOrDigit(c) || c is '@' or '.' or '-' or '_' ? c : '_');
        }

        return builder.ToString();
    }

    // Protocol ids hold '/', '+' and '='; a hash gives a stable, path-safe file name.
    private static string Hash(string id)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(id));
        var builder = new StringBuilder(32);
        for (var i = 0; i < 16; i++)
        {
            builder.Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
