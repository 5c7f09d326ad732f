using System;
using System.Collections.Generic;

namespace InboxPS.Core.Sync;

/// <summary>The well-known folder names Start-InboxSync accepts for -Folder.</summary>
public static class WellKnownFolders
{
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "inbox", "sentitems", "drafts", "deleteditems", "junkemail", "outbox", "archive", "msgfolderroot",
    };

    public static bool IsKnown(string name)
    {
        foreach (var known in Names)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
