using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace InboxPS.Core;

/// <summary>
/// Unix permission bits for what holds secrets or mail: 0600 files, 0700 folders (the token cache, the store, the .eml
/// files). On Windows the profile folder's ACL already keeps other users out, and nothing is changed.
/// </summary>
internal static class OwnerOnlyAccess
{
    public const int OwnerReadWrite = 0x180; // 0600
    public const int OwnerAll = 0x1C0;       // 0700

    private static readonly bool s_windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    /// <summary>Creates the folder (and its parents) if needed; a folder this call created is 0700.</summary>
    public static void CreateFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            Restrict(folder, OwnerAll);
        }
    }

    /// <summary>Sets the mode of <paramref name="path"/> (no-op on Windows).</summary>
    public static void Restrict(string path, int mode)
    {
        if (s_windows)
        {
            return;
        }

        // File.SetUnixFileMode exists from .NET 7 on; this assembly targets netstandard2.0, so it is found by reflection,
        // with libc's chmod for older runtimes.
        var unixFileMode = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
        var setMode = unixFileMode is null ? null
            : typeof(File).GetMethod("SetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), unixFileMode }, null);
        if (setMode is not null)
        {
            setMode.Invoke(null, new[] { path, Enum.ToObject(unixFileMode!, mode) });
            return;
        }

        if (Chmod(path, mode) != 0)
        {
            throw new IOException($"Cannot restrict '{path}' to its owner (chmod failed with error {Marshal.GetLastWin32Error()}).");
        }
    }

    /// <summary>The file's Unix permission bits (e.g. 0x180 for 0600), or null on Windows.</summary>
    public static int? UnixMode(string path)
    {
        if (s_windows)
        {
            return null;
        }

        var getMode = typeof(File).GetMethod("GetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);
        return getMode is null ? null : Convert.ToInt32(getMode.Invoke(null, new object[] { path }));
    }

    /// <summary>Writes a new file that is owner-only before its first byte.</summary>
    public static void WriteNew(string path, byte[] content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        Restrict(path, OwnerReadWrite);
        stream.Write(content, 0, content.Length);
    }

    [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
    private static extern int Chmod(string path, int mode);
}
