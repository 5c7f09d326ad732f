using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Core.Sync;

/// <summary>
/// Which folders a user is synced with, chosen when they were activated (-Folder, -AllMailFolders) and kept on the
/// roster, so a later run that names no folders (the scheduled runbook, a retry) syncs what was chosen.
/// </summary>
public sealed class FolderChoice : IEquatable<FolderChoice>
{
    public static readonly FolderChoice Default = new(SyncOptions.DefaultFolders, allMailFolders: false);

    public FolderChoice(IEnumerable<string> wellKnownFolders, bool allMailFolders)
    {
        WellKnownFolders = wellKnownFolders.Select(f => f.Trim().ToLowerInvariant()).Where(f => f.Length > 0)
            .Distinct(StringComparer.Ordinal).ToArray();
        AllMailFolders = allMailFolders;
    }

    /// <summary>Well-known folder names (lower case), always synced.</summary>
    public IReadOnlyList<string> WellKnownFolders { get; }

    /// <summary>Every mail folder of the hierarchy too, including ones created after activation.</summary>
    public bool AllMailFolders { get; }

    /// <summary>The roster's text form: "inbox,sentitems", with a leading "*;" for every mail folder.</summary>
    public string Serialize() => (AllMailFolders ? "*;" : "") + string.Join(",", WellKnownFolders);

    /// <summary>The choice stored by <see cref="Serialize"/>; <see cref="Default"/> for a user stored before choices were kept.</summary>
    public static FolderChoice Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        var all = text!.StartsWith("*;", StringComparison.Ordinal);
        var names = (all ? text.Substring(2) : text).Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries);
        return new FolderChoice(names, all);
    }

    public bool Equals(FolderChoice? other) => other is not null && Serialize() == other.Serialize();

    public override bool Equals(object? obj) => Equals(obj as FolderChoice);

    public override int GetHashCode() => Serialize().GetHashCode();

    /// <summary>How Get-InboxSyncStatus shows it: "All mail folders + inbox" or "inbox, sentitems".</summary>
    public override string ToString() =>
        AllMailFolders ? "All mail folders" : string.Join(", ", WellKnownFolders);
}
