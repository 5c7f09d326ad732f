using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>What Start-InboxSync (or Test-InboxImpersonation) was asked to do.</summary>
public sealed class SyncOptions
{
    public static readonly IReadOnlyList<string> DefaultFolders = new[] { "inbox", "sentitems" };

    /// <summary>Well-known folder names to sync (EWS distinguished names, case-insensitive).</summary>
    public IReadOnlyList<string> Folders { get; set; } = DefaultFolders;

    /// <summary>Sync every mail folder of the hierarchy instead of <see cref="Folders"/>.</summary>
    public bool AllMailFolders { get; set; }

    /// <summary>
    /// True when the command named no folders (the scheduled runbook, a retry): a user on the roster is synced with the
    /// folders chosen for them, and <see cref="Folders"/> / <see cref="AllMailFolders"/> apply to new users only.
    /// False: the folders given become the user's choice.
    /// </summary>
    public bool KeepChosenFolders { get; set; }

    /// <summary>The choice <see cref="Folders"/> and <see cref="AllMailFolders"/> make.</summary>
    public FolderChoice GivenFolders => new(Folders, AllMailFolders);

    public bool IncludeMime { get; set; }

    /// <summary>Where .eml files go when <see cref="IncludeMime"/> is set: one folder per mailbox below it.</summary>
    public string? ContentPath { get; set; }

    /// <summary>
    /// The most mailboxes synced in parallel (each handled by one worker, one request at a time): a ceiling. Below it the
    /// engine raises concurrency while the server keeps up and lowers it when the server pushes back.
    /// </summary>
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>The activity progress is reported under: the name of the cmdlet that runs.</summary>
    public string ProgressActivity { get; set; } = "InboxPS";

    /// <summary>
    /// A mailbox that failed only because Exchange was busy (throttling) or unreachable (timeouts, dropped connections),
    /// without saying for how long, is tried once more, after the rest of the input and at least this long after it failed.
    /// </summary>
    public TimeSpan RetryTransientAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often one mailbox may be parked in a run because the server told it to back off (each time until exactly the
    /// end of that back-off); past it the server's error is the mailbox's outcome.
    /// </summary>
    public int MaxBackOffParks { get; set; } = 8;

    /// <summary>
    /// Asked once per mailbox before anything changes (ShouldProcess). Anything but Proceed reports the mailbox as
    /// WhatIf or Skipped and does no work. Null means always go ahead.
    /// </summary>
    public Func<MailboxTarget, Task<SyncApproval>>? Approve { get; set; }
}
