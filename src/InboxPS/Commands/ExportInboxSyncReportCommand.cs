using System;
using System.IO;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Writes one self-contained HTML report of an organization (each user as the last run left them) or of one run:
/// totals, failures by reason with advice, a chart of throughput and throttling over time, the slowest and largest
/// mailboxes and the per-user table with search. Nothing in it loads from elsewhere, so it opens offline.
/// </summary>
[Cmdlet(VerbsData.Export, "InboxSyncReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportInboxSyncReportCommand : InboxCmdlet
{
    /// <summary>The .html file to write (replaced when it exists).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The organization; optional when there is only one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>A run's Id (Get-InboxSyncRun): the report covers that run's users only.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public long? RunId { get; set; }

    protected override void ProcessRecord()
    {
        var organization = ResolveOrganization(Organization);
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, $"Write the sync report of {organization.Name}"))
        {
            return;
        }

        SyncReport report;
        try
        {
            report = SyncReport.Read(Store, organization, RunId);
        }
        catch (InboxException e)
        {
            WriteInboxError(e);
            return;
        }

        try
        {
            SyncReportHtml.WriteFile(report, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.From("ReportWriteFailed", ErrorCategory.WriteError,
                $"Could not write the report '{path}': {e.Message}", path, "Choose a -Path in a folder you can write to."));
        }

        WriteObject(new FileInfo(path));
    }
}
