using System.Management.Automation;
using System.Threading.Tasks;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Writes piped items (Get-InboxItem) as .eml files below -Path: a folder per mailbox and per mail folder, named as an
/// admin knows them. Items saved at sync time are copied; the others are read from the server by id. For CSV, pipe
/// Get-InboxItem to Export-Csv instead.
/// </summary>
[Cmdlet(VerbsData.Export, "InboxItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExportedItem))]
public sealed class ExportInboxItemCommand : AsyncInboxCmdlet
{
    /// <summary>An item from Get-InboxItem.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public StoredItem? InputObject { get; set; }

    /// <summary>The folder the .eml files go below; created when missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    private ItemExporter? _exporter;

    protected override void BeginProcessing()
    {
        _exporter = new ItemExporter(Store, Session.Connections, GetUnresolvedProviderPathFromPSPath(Path));
    }

    protected override void ProcessRecord()
    {
        var item = InputObject!;
        var target = _exporter!.PathFor(item);
        if (!ShouldProcess(target, $"Export '{item.Subject}' of {item.Mailbox}"))
        {
            return;
        }

        try
        {
            var export = Task.Run(() => _exporter.ExportAsync(item, CancellationToken));
            Pump(export);
            WriteObject(export.Result);
        }
        catch (InboxException e)
        {
            // One item's trouble is that item's error; the rest are exported.
            WriteInboxError(e);
        }
    }
}
