using System;
using System.IO;

namespace InboxPS.Core.Store;

/// <summary>Decides where the store lives: <c>$env:INBOXPS_HOME</c>, else the platform's per-user data folder.</summary>
public static class StoreLocation
{
    public const string HomeVariable = "INBOXPS_HOME";
    public const string DatabaseFileName = "inboxps.db";

    /// <summary>
    /// The data folder: INBOXPS_HOME when set; otherwise %LOCALAPPDATA%\InboxPS on Windows,
    /// ~/Library/Application Support/InboxPS on macOS, $XDG_DATA_HOME/InboxPS or ~/.local/share/InboxPS on Linux.
    /// </summary>
    public static string DataDirectory()
    {
        var home = System.Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(home))
        {
            return Path.GetFullPath(home!.Trim());
        }

        var perUser = System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(perUser))
        {
            // Service accounts on Linux sometimes have no XDG folders; fall back to the home directory.
            perUser = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(perUser, "InboxPS");
    }

    public static string DefaultDatabasePath() => Path.Combine(DataDirectory(), DatabaseFileName);
}
