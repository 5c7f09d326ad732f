using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace InboxPS.Core.Auth;

/// <summary>
/// Reads and writes a file only the current user may read: encrypted with DPAPI on Windows, and on Linux and macOS
/// created with mode 0600 inside a 0700 folder. Writes go to a temporary file first so a reader never sees half a file.
/// </summary>
internal static class OwnerOnlyFile
{
    private static readonly byte[] s_entropy = { 0x49, 0x6E, 0x62, 0x6F, 0x78, 0x50, 0x53 }; // "InboxPS"

    /// <summary>True where the content is encrypted at rest (Windows DPAPI), false where only file permissions protect it.</summary>
    public static bool IsEncrypted => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public static byte[]? Read(string path)
    {
        byte[] stored;
        try
        {
            stored = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        if (!IsEncrypted)
        {
            return stored;
        }

        try
        {
            return ProtectedData.Unprotect(stored, s_entropy, DataProtectionScope.CurrentUser);
        }
        catch (CryptographicException)
        {
            // Written by another Windows user or machine: unusable here, which is the point. Treat as absent.
            return null;
        }
    }

    public static void Write(string path, byte[] content)
    {
        var folder = Path.GetDirectoryName(path)!;
        OwnerOnlyAccess.CreateFolder(folder);

        var data = IsEncrypted ? ProtectedData.Protect(content, s_entropy, DataProtectionScope.CurrentUser) : content;
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            // Restricted before the first byte is written, so the content is never readable by others.
            OwnerOnlyAccess.WriteNew(temporary, data);

            MoveOver(temporary, path);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>The file's Unix permission bits (e.g. 0x180 for 0600), or null on Windows.</summary>
    public static int? UnixMode(string path) => OwnerOnlyAccess.UnixMode(path);

    /// <summary>Puts <paramref name="source"/> in the place of <paramref name="destination"/> in one step.</summary>
    public static void MoveOver(string source, string destination)
    {
        if (File.Exists(destination))
        {
            File.Replace(source, destination, destinationBackupFileName: null);
        }
        else
        {
            File.Move(source, destination);
        }
    }

}
