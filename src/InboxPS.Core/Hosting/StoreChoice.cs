using System;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using InboxPS.Core.Store;

namespace InboxPS.Core.Hosting;

/// <summary>
/// Which store a process (or a console's runspace) works with. One setting picks it: <c>$env:INBOXPS_STORE</c> for
/// runbooks (a postgres:// address or an Npgsql connection string, the password in <c>$env:INBOXPS_STORE_PASSWORD</c>),
/// or Set-InboxStore in a console (the password from a PSCredential, kept in memory only). Without either: SQLite at
/// <c>$env:INBOXPS_HOME</c> or the per-user default.
/// </summary>
public sealed class StoreChoice
{
    public const string StoreVariable = "INBOXPS_STORE";

    private readonly PostgresConnectionSettings? _postgres;
    private readonly string? _sqlitePath;

    private StoreChoice(PostgresConnectionSettings? postgres, string? sqlitePath)
    {
        _postgres = postgres;
        _sqlitePath = sqlitePath;
    }

    /// <summary>SQLite or PostgreSQL.</summary>
    public string Kind => _postgres is null ? "SQLite" : "PostgreSQL";

    /// <summary>The file, or the database's address without its password.</summary>
    public string Location => _postgres?.Display ?? System.IO.Path.GetFullPath(_sqlitePath ?? StoreLocation.DefaultDatabasePath());

    /// <summary>True when several workers may share this store (PostgreSQL).</summary>
    public bool Shared => _postgres is not null;

    /// <summary>The embedded store in the file at <paramref name="path"/> (the default location when null).</summary>
    public static StoreChoice Sqlite(string? path = null) => new(null, path);

    /// <summary>A PostgreSQL store; <paramref name="credential"/> (user and password) wins over the environment.</summary>
    /// <exception cref="StoreException">StorePostgresInvalid.</exception>
    /// <exception cref="StoreException">StorePostgresNeedsPowerShell7 on Windows PowerShell 5.1.</exception>
    public static StoreChoice Postgres(string connection, NetworkCredential? credential = null)
    {
        RequirePowerShell7(RuntimeInformation.FrameworkDescription);
        return ParsePostgres(connection, credential);
    }

    /// <summary>
    /// The shared store runs on PowerShell 7 only: Npgsql is neither tested nor isolated on .NET Framework (Windows
    /// PowerShell 5.1), and Azure Automation's runtimes are 7.x. Checked before any Npgsql type is touched.
    /// </summary>
    internal static void RequirePowerShell7(string frameworkDescription)
    {
        if (frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreException("StorePostgresNeedsPowerShell7", InboxErrorKind.InvalidOperation, "PostgreSQL",
                $"The shared PostgreSQL store needs PowerShell 7; this is Windows PowerShell on {frameworkDescription}.",
                "Run the workers in PowerShell 7.2 or later (pwsh; Azure Automation: a PowerShell 7.x runtime). Windows PowerShell 5.1 keeps the SQLite store.");
        }
    }

    // Apart, so that Npgsql is loaded only after the runtime was checked.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StoreChoice ParsePostgres(string connection, NetworkCredential? credential) =>
        new(PostgresConnectionSettings.Parse(connection, credential), null);

    /// <summary>
    /// $env:INBOXPS_STORE: a PostgreSQL address or connection string, or a SQLite file path; the default SQLite store
    /// when unset.
    /// </summary>
    public static StoreChoice FromEnvironment()
    {
        var setting = Environment.GetEnvironmentVariable(StoreVariable)?.Trim();
        if (string.IsNullOrEmpty(setting))
        {
            return Sqlite();
        }

        return PostgresConnectionSettings.IsPostgres(setting) ? Postgres(setting!) : Sqlite(setting);
    }

    /// <summary>Test-InboxStore: the store's verdict, read without creating or upgrading it.</summary>
    public StoreCheckResult Check() =>
        _postgres is { } postgres ? PostgresInboxStore.Check(postgres) : SqliteInboxStore.Check(Location);

    /// <summary>Backup-InboxStore: an owner-only copy of the SQLite store at <paramref name="destination"/>.</summary>
    /// <exception cref="StoreException">A PostgreSQL store (StoreBackupUsePgDump), or the copy failed.</exception>
    public System.IO.FileInfo Backup(string destination, bool overwrite) =>
        _postgres is { } postgres ? throw PostgresInboxStore.BackupNotSupported(postgres) : SqliteInboxStore.Backup(Location, destination, overwrite);

    internal IInboxStore Open() => _postgres is { } postgres ? PostgresInboxStore.Open(postgres) : SqliteInboxStore.Open(_sqlitePath);

    public override string ToString() => $"{Kind} {Location}";
}
