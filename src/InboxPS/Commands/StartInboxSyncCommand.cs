using System.Management.Automation;
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
    /// <summary>Well-known folders to sync; Inbox and SentItems by default.</summary>
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

    private LeasedMailboxJob? _leased;

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

        var organization = ResolveOrganization();
        var whatIf = IsWhatIf();
        var options = new SyncOptions
        {
            Folders = Folder,
            AllMailFolders = AllMailFolders,
            IncludeMime = IncludeMime,
            ContentPath = ContentPath is null ? null : GetUnresolvedProviderPathFromPSPath(ContentPath),
        };
        if (whatIf || WillConfirm(ConfirmImpact.Medium))
        {
            // Only ask the pipeline thread per mailbox when an answer can be anything but yes: a worker waiting for it
            // would otherwise stall until the next input record arrives.
            options.Approve = async target =>
                await ShouldProcessFromWorker(target.Address, "Activate and sync the mailbox").ConfigureAwait(false)
                    ? SyncApproval.Proceed
                    : whatIf ? SyncApproval.WhatIf : SyncApproval.Declined;
        }

        var protocol = ProtocolFor(organization, requireConnection: !whatIf);
        IMailboxJob job = new MailboxSynchronizer(organization.Name, Store, protocol, options, Sink);
        if (!whatIf)
        {
            // Every real run claims each mailbox from the store first, so several workers on one store never sync the
            // same mailbox at once, and keeps a run record (issue 16).
            job = _leased = new LeasedMailboxJob(job, Store, organization.Name, Sink);
        }

        StartEngine(job, options);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _leased is { } leased)
        {
            _leased = null;
            try
            {
                leased.Finish();
            }
            catch (InboxPS.Core.InboxException)
            {
                // The store went away at the end of the run: the run record keeps no end, as for a worker that died.
            }
        }

        base.Dispose(disposing);
    }

    protected override void WriteResult(object result)
    {
        WriteObject(result);
        if (result is MailboxSyncResult { Status: SyncStatus.Failed } failed && failed.GetError() is { } error)
        {
            WriteInboxError(error);
        }
    }
}
