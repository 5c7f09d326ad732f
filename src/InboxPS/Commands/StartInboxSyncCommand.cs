using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using InboxPS.Core.Organizations;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Activates and syncs the mailboxes piped in (Get-Mailbox | Start-InboxSync), or with no input every activated user of
/// the organization. One result per user as soon as that user is done; failures are also non-terminating errors.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "InboxSync", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MailboxSyncResult))]
public sealed class StartInboxSyncCommand : SyncEngineCmdlet
{
    /// <summary>
    /// Well-known folders to sync; Inbox and SentItems by default. Given, it becomes the users' folder choice; omitted,
    /// users already activated keep theirs.
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(WellKnownFolderCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Folder { get; set; } = { "Inbox", "SentItems" };

    /// <summary>Sync every mail folder of each mailbox instead of -Folder.</summary>
    [Parameter]
    public SwitchParameter AllMailFolders { get; set; }

    /// <summary>Also save every message as an .eml file under -ContentPath.</summary>
    [Parameter]
    public SwitchParameter IncludeMime { get; set; }

    /// <summary>Where -IncludeMime writes: one folder per mailbox.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ContentPath { get; set; }

    private SyncOptions? _options;
    private bool _whatIf;
    private readonly List<LeasedMailboxJob> _leased = new();
    private readonly SyncRunTotals _summary = new();
    private readonly Stopwatch _clock = new();
    private bool _ended;

    protected override bool ReplayRosterWithoutInput => true;

    protected override void BeginProcessing()
    {
        foreach (var name in Folder)
        {
            if (!WellKnownFolders.IsKnown(name))
            {
                ThrowTerminatingError(ErrorRecords.From("FolderNameInvalid", ErrorCategory.InvalidArgument,
                    $"'{name}' is not a well-known folder name.", name,
                    $"Use one of: {string.Join(", ", WellKnownFolders.Names)}; or -AllMailFolders."));
            }
        }

        if (IncludeMime && ContentPath is null)
        {
            ThrowTerminatingError(ErrorRecords.From("ContentPathRequired", ErrorCategory.InvalidArgument,
                "-IncludeMime needs -ContentPath: the folder where the .eml files go.", null, "Add -ContentPath <folder>."));
        }

        _clock.Start();
        var whatIf = IsWhatIf();
        _whatIf = whatIf;
        _options = new SyncOptions
        {
            Folders = Folder,
            AllMailFolders = AllMailFolders,
            // No -Folder and no -AllMailFolders: every user already on the roster keeps the folders chosen for them.
            KeepChosenFolders = !MyInvocation.BoundParameters.ContainsKey(nameof(Folder))
                && !MyInvocation.BoundParameters.ContainsKey(nameof(AllMailFolders)),
            IncludeMime = IncludeMime,
            ContentPath = ContentPath is null ? null : GetUnresolvedProviderPathFromPSPath(ContentPath),
        };
        if (whatIf || WillConfirm(ConfirmImpact.Medium))
        {
            // Only ask the pipeline thread per mailbox when an answer can be anything but yes: a worker waiting for it
            // would otherwise stall until the next input record arrives.
            _options.Approve = async target =>
                await ShouldProcessFromWorker(target.Address, "Activate and sync the mailbox").ConfigureAwait(false)
                    ? SyncApproval.Proceed
                    : whatIf ? SyncApproval.WhatIf : SyncApproval.Declined;
        }

        StartEngines();
    }

    protected override (IMailboxJob Job, SyncOptions Options) CreateJob(OrganizationProfile organization)
    {
        var protocol = ProtocolFor(organization, requireConnection: !_whatIf);
        IMailboxJob job = new MailboxSynchronizer(organization.Name, Store, protocol, _options!, Sink);
        if (!_whatIf)
        {
            // Every real run claims each mailbox from the store first, so several workers on one store never sync the
            // same mailbox at once, and keeps a run record (issue 16).
            var leased = new LeasedMailboxJob(job, Store, organization.Name, Sink, history: Store,
                context: SyncRunContext.ForThisProcess(DescribeParameters()));
            lock (_leased)
            {
                _leased.Add(leased);
            }

            job = leased;
        }

        return (job, _options!);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            LeasedMailboxJob[] finishing;
            lock (_leased)
            {
                finishing = _leased.ToArray();
                _leased.Clear();
            }

            // Disposed without EndProcessing having finished: stopped (Ctrl+C) or ended by a terminating error.
            var result = _ended ? SyncRunEnd.Completed : Stopping ? SyncRunEnd.Cancelled : SyncRunEnd.Failed;
            foreach (var leased in finishing)
            {
                try
                {
                    leased.Finish(result);
                }
                catch (InboxPS.Core.InboxException)
                {
                    // The store went away at the end of the run: the run record keeps no end, as for a worker that died.
                }
            }
        }

        base.Dispose(disposing);
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        _ended = true;

        // One line a runbook's job output shows as it is: what the run came to, without post-processing the results.
        var summary = $"{MyInvocation.MyCommand.Name}: {_summary.Users} user(s): {_summary.Synced} synced, {_summary.Failed} failed, " +
                      $"{_summary.Skipped} skipped; items +{_summary.ItemsAdded} ~{_summary.ItemsUpdated} -{_summary.ItemsDeleted}; " +
                      $"took {Format(_clock.Elapsed)}, throttled {Format(_summary.Throttled)}.";
        WriteInformation(new InformationRecord(summary, MyInvocation.MyCommand.Name), new[] { "InboxPS", "Summary" });
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours}h {time.Minutes}m" : time.TotalMinutes >= 1 ? $"{time.Minutes}m {time.Seconds}s" : $"{time.TotalSeconds:0.#}s";

    // The run record's parameters: the switches and values as an admin would retype them. Start-InboxSync takes no
    // secret; mailbox names are counted, not listed (thousands may be piped).
    private string DescribeParameters()
    {
        var parts = new List<string>();
        foreach (var pair in MyInvocation.BoundParameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (CommonParameters.Contains(pair.Key) || OptionalCommonParameters.Contains(pair.Key) ||
                pair.Key is "Identity" or "PrimarySmtpAddress" or "UserPrincipalName" or "InputObject"
                or "ExternalDirectoryObjectId" or "ExchangeGuid" or "MailboxAlias")
            {
                continue;
            }

            parts.Add(pair.Value switch
            {
                SwitchParameter flag => flag.IsPresent ? "-" + pair.Key : $"-{pair.Key}:$false",
                string[] values => $"-{pair.Key} {string.Join(",", values)}",
                var value => $"-{pair.Key} {value}",
            });
        }

        parts.Add(MyInvocation.ExpectingInput ? "(piped mailboxes)"
            : MyInvocation.BoundParameters.ContainsKey("Identity") ? "(-Identity)" : "(every activated user)");
        return string.Join(" ", parts);
    }

    protected override void WriteResult(object result)
    {
        if (result is MailboxSyncResult counted && counted.Status is not SyncStatus.WhatIf)
        {
            _summary.Users++;
            _summary.Synced += counted.Status == SyncStatus.Synced ? 1 : 0;
            _summary.Failed += counted.Status == SyncStatus.Failed ? 1 : 0;
            _summary.Skipped += counted.Status == SyncStatus.Skipped ? 1 : 0;
            _summary.ItemsAdded += counted.ItemsAdded;
            _summary.ItemsUpdated += counted.ItemsUpdated;
            _summary.ItemsDeleted += counted.ItemsDeleted;
            _summary.Throttled += counted.ThrottledFor;
        }

        WriteObject(result);
        if (result is MailboxSyncResult { Status: SyncStatus.Failed } failed && failed.GetError() is { } error)
        {
            WriteError(ErrorRecords.ForMailbox(error, failed.Mailbox));
        }
    }
}
