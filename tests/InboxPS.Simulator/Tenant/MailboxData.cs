using System;
using System.Collections.Generic;
using System.Linq;

namespace InboxPS.Simulator.Tenant;

/// <summary>
/// The changeable state of one mailbox: its folders and the hierarchy change log. Every mailbox that never changed
/// shares one read-only pristine instance (items are generated from the mailbox index, so pristine state is the same
/// for all); the first change gives the mailbox its own copy. Materialised instances are guarded by <see cref="Gate"/>.
/// </summary>
internal sealed class MailboxData
{
    private MailboxData(bool isPristine, List<FolderData> folders)
    {
        IsPristine = isPristine;
        Folders = folders;
    }

    public bool IsPristine { get; }

    public object Gate => this;

    /// <summary>The mailbox-wide change sequence: every change (item or folder) takes the next number.</summary>
    public long Head { get; private set; }

    /// <summary>Bumped to invalidate this mailbox's hierarchy sync states.</summary>
    public int HierarchyEpoch { get; set; }

    public List<FolderData> Folders { get; }

    public List<LogEntry> HierarchyLog { get; } = new();

    public static MailboxData CreatePristine(int itemsPerFolder) => new(true, WellKnownFolders.Create(itemsPerFolder));

    public MailboxData Materialise()
    {
        var copy = new MailboxData(false, Folders.Select(f => f.Clone()).ToList()) { Head = Head, HierarchyEpoch = HierarchyEpoch };
        copy.HierarchyLog.AddRange(HierarchyLog);
        return copy;
    }

    public long NextSeq()
    {
        if (IsPristine)
        {
            throw new InvalidOperationException("The shared pristine mailbox must never change.");
        }

        return ++Head;
    }

    public FolderData? Folder(int index) => index >= 0 && index < Folders.Count && !Folders[index].IsDeleted ? Folders[index] : null;

    public FolderData? FolderByDistinguishedName(string name) =>
        Folders.FirstOrDefault(f => !f.IsDeleted && string.Equals(f.DistinguishedName, name, StringComparison.OrdinalIgnoreCase));

    public bool IsInSubtree(FolderData folder, int rootIndex)
    {
        for (var parent = folder.ParentIndex; parent >= 0; parent = Folders[parent].ParentIndex)
        {
            if (parent == rootIndex)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The folders below <paramref name="rootIndex"/>, parents before children.</summary>
    public IEnumerable<FolderData> Subtree(int rootIndex)
    {
        foreach (var child in Folders.Where(f => !f.IsDeleted && f.ParentIndex == rootIndex))
        {
            yield return child;
            foreach (var grandChild in Subtree(child.Index))
            {
                yield return grandChild;
            }
        }
    }

    public int ChildFolderCount(int index) => Folders.Count(f => !f.IsDeleted && f.ParentIndex == index);
}
