using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Chooses the store this PowerShell session works with: a shared PostgreSQL database (several workers split one
/// organization) or a SQLite file. The store is opened (its schema created or upgraded) before the choice is kept, so a
/// wrong address or password fails here. The password stays in this session's memory only. Runbooks set
/// $env:INBOXPS_STORE (and $env:INBOXPS_STORE_PASSWORD) instead.
/// </summary>
[Cmdlet(VerbsCommon.Set, "InboxStore", DefaultParameterSetName = PostgresSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(StoreChoice))]
public sealed class SetInboxStoreCommand : InboxCmdlet
{
    private const string PostgresSet = "PostgreSql";
    private const string SqliteSet = "Sqlite";
    private const string EnvironmentSet = "Environment";

    /// <summary>Use a PostgreSQL database.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PostgresSet)]
    public SwitchParameter PostgreSql { get; set; }

    /// <summary>postgres://user@host:5432/database?sslmode=require, or Host=...;Username=...;Database=... (no password).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PostgresSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>The database user and password; else the user in the connection string and $env:INBOXPS_STORE_PASSWORD.</summary>
    [Parameter(ParameterSetName = PostgresSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Use a SQLite file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SqliteSet)]
    public SwitchParameter Sqlite { get; set; }

    /// <summary>The SQLite file; the default location ($env:INBOXPS_HOME or the per-user folder) when omitted.</summary>
    [Parameter(ParameterSetName = SqliteSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Forget this session's choice: follow $env:INBOXPS_STORE (or the default SQLite store) again.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvironmentSet)]
    public SwitchParameter FromEnvironment { get; set; }

    protected override void EndProcessing()
    {
        StoreChoice choice;
        try
        {
            choice = ParameterSetName switch
            {
                PostgresSet => StoreChoice.Postgres(ConnectionString!, Credential?.GetNetworkCredential()),
                SqliteSet => StoreChoice.Sqlite(Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path)),
                _ => StoreChoice.FromEnvironment(),
            };
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        if (!ShouldProcess(choice.ToString(), "Use this InboxPS store in this session"))
        {
            return;
        }

        var host = RunspaceHosts.Current;
        try
        {
            // Open it once now: the schema is created or upgraded, and a wrong address or password is this command's error.
            using (host.OpenSession(choice)) { }
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            return;
        }

        host.Store = ParameterSetName == EnvironmentSet ? null : choice;
        WriteObject(choice);
    }
}
