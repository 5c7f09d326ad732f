using System.Management.Automation;
using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// What was synced per user: folders with item counts and sizes, skipped items with reasons, the last run's figures,
/// the recent failures, the access type and the worker. Get-InboxSyncStatus answers "is everyone fine?" for thousands of
/// users cheaply; this answers "what exactly happened to this user?" and reads more of the store per user.
/// </summary>
[Cmdlet(VerbsCommon.Get, "InboxSyncStatistics")]
[OutputType(typeof(MailboxStatistics))]
public sealed class GetInboxSyncStatisticsCommand : StoredMailboxCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var (organization, entry) in SelectUsers())
        {
            WriteObject(SyncStatistics.For(Store, organization, entry));
        }
    }
}
