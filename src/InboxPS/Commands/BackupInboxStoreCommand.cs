using System.IO;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Copies the SQLite store to a file with SQLite's online backup API: a sync may run meanwhile, and the copy is one
/// consistent state, readable by its owner only. A PostgreSQL store is backed up with pg_dump instead.
/// </summary>
[Cmdlet(VerbsData.Backup, "InboxStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class BackupInboxStoreCommand : InboxCmdlet
{
    /// <summary>The backup file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replace the file at -Path when it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var store = RunspaceHosts.Current.CurrentStore;
            var destination = GetUnresolvedProviderPathFromPSPath(Path);
            if (ShouldProcess(destination, $"Back up the {store.Kind} store '{store.Location}'"))
            {
                WriteObject(store.Backup(destination, Force));
            }
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
        }
    }
}
