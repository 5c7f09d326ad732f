using System.Reflection;
using InboxPS.Core.Store;
using Npgsql;
using Xunit.Sdk;

namespace InboxPS.Core.Tests.Support;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh store of either kind for one test: a SQLite file in a temporary folder, or a schema of its own in the test
/// PostgreSQL server the Test task starts ($env:INBOXPS_TEST_POSTGRES), dropped afterwards.
/// </summary>
public sealed class TestStore : IDisposable
{
    public const string PostgresVariable = "INBOXPS_TEST_POSTGRES";

    private readonly TempDirectory? _temp;
    private readonly string? _schema;
    private readonly List<IInboxStore> _opened = new();

    private TestStore(StoreKind kind)
    {
        Kind = kind;
        if (kind == StoreKind.Sqlite)
        {
            _temp = new TempDirectory();
        }
        else
        {
            _schema = "t_" + Guid.NewGuid().ToString("N").Substring(0, 16);
            Execute($"CREATE SCHEMA {_schema}");
        }

        Store = Reopen();
    }

    public StoreKind Kind { get; }

    public IInboxStore Store { get; }

    /// <summary>The test server's superuser connection string; a clear failure when there is none.</summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"${PostgresVariable} is not set: run the tests through 'dotnet pwsh ./build.ps1 -Task Test', which starts a throwaway PostgreSQL server.");

    /// <summary>Where this test's store lives, as a store setting (a SQLite path, or a connection string with the password).</summary>
    public string Setting => Kind == StoreKind.Sqlite
        ? _temp!.Combine("inboxps.db")
        : new NpgsqlConnectionStringBuilder(PostgresConnectionString) { SearchPath = _schema }.ConnectionString;

    public static TestStore Open(StoreKind kind) => new(kind);

    /// <summary>Another store object over the same data (another worker, or the same one after a restart).</summary>
    public IInboxStore Reopen()
    {
        IInboxStore store = Kind == StoreKind.Sqlite
            ? SqliteInboxStore.Open(Setting)
            : PostgresInboxStore.Open(PostgresConnectionSettings.Parse(Setting));
        _opened.Add(store);
        return store;
    }

    /// <summary>Runs SQL against the store's own tables (raw checks and tampering the store's API does not offer).</summary>
    public object? Scalar(string sql)
    {
        if (Kind == StoreKind.Sqlite)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Setting};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }

        using var pg = new NpgsqlConnection(Setting);
        pg.Open();
        using var pgCommand = new NpgsqlCommand(sql, pg);
        return pgCommand.ExecuteScalar();
    }

    public List<(string, string?)> Pairs(string sql)
    {
        var rows = new List<(string, string?)>();
        System.Data.Common.DbConnection connection = Kind == StoreKind.Sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Setting};Pooling=False")
            : new NpgsqlConnection(Setting);
        using (connection)
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        return rows;
    }

    public void Dispose()
    {
        foreach (var store in _opened)
        {
            store.Dispose();
        }

        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            Execute($"DROP SCHEMA {_schema} CASCADE");
        }

        _temp?.Dispose();
    }

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(PostgresConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// A theory row for the PostgreSQL store. Skipped, saying how to get PostgreSQL, on a developer's machine without the
/// test server; never skipped in CI ($env:CI = true), where a missing server fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestStore.PostgresVariable)) &&
            !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "Skipped: no test PostgreSQL server. Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) and run " +
                   "'dotnet pwsh ./build.ps1 -Task Test', which starts a throwaway one.";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => new[] { new object[] { StoreKind.Postgres } };
}
