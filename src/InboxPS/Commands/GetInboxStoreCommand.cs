using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>The store this session works with (Set-InboxStore, else $env:INBOXPS_STORE, else the default SQLite file).</summary>
[Cmdlet(VerbsCommon.Get, "InboxStore")]
[OutputType(typeof(StoreChoice))]
public sealed class GetInboxStoreCommand : InboxCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(RunspaceHosts.Current.CurrentStore);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
        }
    }
}
