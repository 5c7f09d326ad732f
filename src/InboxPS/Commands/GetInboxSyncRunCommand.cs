using System.Management.Automation;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// The run records: one per Start-InboxSync run of each worker (start, end, users, synced, failed, skipped because
/// another worker had them, items, throttled time), newest first. A run without an end is still running, or its worker
/// died.
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxSyncRun")]
[OutputType(typeof(SyncRunRecord))]
public sealed class GetInboxSyncRunCommand : InboxCmdlet
{
    /// <summary>The organization; all organizations when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>How many of the newest runs to show.</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int Last { get; set; } = 20;

    protected override void ProcessRecord()
    {
        var organization = Organization is null ? null : ResolveOrganization(Organization).Name;
        foreach (var run in Terminating(() => Store.GetRuns(organization, Last)))
        {
            WriteObject(run);
        }
    }
}
