using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Store;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Checks the store without changing it: SQLite's integrity check over every page and the schema version (or, for
/// PostgreSQL, a connection and the schema version), with a verdict and what to do. -Path checks another SQLite file,
/// such as a backup.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "InboxStore")]
[OutputType(typeof(StoreCheckResult))]
public sealed class TestInboxStoreCommand : InboxCmdlet
{
    /// <summary>A SQLite store file to check (a backup, a copy); the store this session uses when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var store = Path is null ? RunspaceHosts.Current.CurrentStore : StoreChoice.Sqlite(GetUnresolvedProviderPathFromPSPath(Path));
            WriteVerbose($"Checking the {store.Kind} store '{store.Location}'.");
            WriteObject(store.Check());
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
        }
    }
}
