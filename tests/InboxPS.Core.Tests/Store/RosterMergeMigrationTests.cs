using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InboxPS.Core.Tests.Store;

/// <summary>
/// Issue 17: a store written before mailboxes had a stable id, holding one mailbox twice (by its primary SMTP address
/// and by its UPN, 2 x its items), is merged on upgrade into the entry by primary address; other users are untouched.
/// </summary>
public sealed class RosterMergeMigrationTests
{
    private const string Org = "contoso";

    // What a store before the migration held: ada twice (inbox 'inbox-ada'), bob once; the UPN row synced last.
    private const string Seed = """
        INSERT INTO organizations (name, access_type, environment, created_utc, modified_utc)
            VALUES ('contoso', 'OAuthAppOnly', 'ExchangeOnline', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
        INSERT INTO roster (organization, mailbox, address_kind, active, status, activated_utc)
            VALUES ('contoso', 'ada@contoso.com', 'SmtpAddress', false, 'Synced', '2026-01-01T00:00:00Z'),
                   ('contoso', 'ada.lovelace@contoso.onmicrosoft.com', 'PrincipalName', true, 'Synced', '2026-01-02T00:00:00Z'),
                   ('contoso', 'bob@contoso.com', 'SmtpAddress', true, 'Synced', '2026-01-01T00:00:00Z');
        INSERT INTO folders (organization, mailbox, folder_id, well_known_name, selected)
            VALUES ('contoso', 'ada@contoso.com', 'inbox-ada', 'inbox', true),
                   ('contoso', 'ada.lovelace@contoso.onmicrosoft.com', 'inbox-ada', 'inbox', true),
                   ('contoso', 'bob@contoso.com', 'inbox-bob', 'inbox', true);
        INSERT INTO items (organization, mailbox, item_id, folder_id, updated_utc)
            VALUES ('contoso', 'ada@contoso.com', 'item-1', 'inbox-ada', '2026-01-01T00:00:00Z'),
                   ('contoso', 'ada@contoso.com', 'item-2', 'inbox-ada', '2026-01-01T00:00:00Z'),
                   ('contoso', 'ada.lovelace@contoso.onmicrosoft.com', 'item-1', 'inbox-ada', '2026-01-02T00:00:00Z'),
                   ('contoso', 'ada.lovelace@contoso.onmicrosoft.com', 'item-2', 'inbox-ada', '2026-01-02T00:00:00Z'),
                   ('contoso', 'bob@contoso.com', 'item-3', 'inbox-bob', '2026-01-01T00:00:00Z');
        """;

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void A_mailbox_stored_twice_is_merged_into_its_primary_address_entry_on_upgrade(StoreKind kind)
    {
        using var old = OldStore.Create(kind);
        old.Execute(Seed);

        var store = old.Upgrade();

        var roster = store.GetRoster(Org, activeOnly: false).ToList();
        Assert.Equal(new[] { "ada@contoso.com", "bob@contoso.com" }, roster.Select(r => r.Mailbox));
        Assert.True(roster[0].Active, "The merged entry stays active: the UPN entry was.");
        Assert.Equal("ada@contoso.com", store.FindMailbox(Org, "inbox-ada")?.Mailbox);
        Assert.Equal("bob@contoso.com", store.FindMailbox(Org, "inbox-bob")?.Mailbox);
        Assert.Equal((1, 2), store.CountStored(Org, "ada@contoso.com"));
        Assert.Equal(0L, Convert.ToInt64(old.Scalar("SELECT count(*) FROM items WHERE mailbox = 'ada.lovelace@contoso.onmicrosoft.com'")));
        Assert.Equal(0L, Convert.ToInt64(old.Scalar("SELECT count(*) FROM folders WHERE mailbox = 'ada.lovelace@contoso.onmicrosoft.com'")));
        Assert.Equal((1, 1), store.CountStored(Org, "bob@contoso.com"));
    }

    [Theory, InlineData(StoreKind.Sqlite), PostgresData]
    public void After_the_upgrade_the_mailbox_id_is_kept_and_found_whatever_address_activates_it(StoreKind kind)
    {
        using var old = OldStore.Create(kind);
        old.Execute(Seed);
        var store = old.Upgrade();

        store.Activate(Org, new MailboxTarget("carol@contoso.com", MailboxAddressKind.SmtpAddress, "inbox-carol"));
        store.Activate(Org, new MailboxTarget("carol@contoso.com", MailboxAddressKind.SmtpAddress));

        Assert.Equal("carol@contoso.com", store.FindMailbox(Org, "inbox-carol")?.Mailbox);
        Assert.Null(store.FindMailbox(Org, "inbox-nobody"));
    }

    /// <summary>A store at the schema version just before the stable-id migration, built by the shipped migrations.</summary>
    private sealed class OldStore : IDisposable
    {
        private readonly StoreKind _kind;
        private readonly TempDirectory? _temp;
        private readonly string? _schema;
        private IInboxStore? _store;

        private OldStore(StoreKind kind)
        {
            _kind = kind;
            if (kind == StoreKind.Sqlite)
            {
                _temp = new TempDirectory();
                NativeSqlite.EnsureInitialized();
                var before = Array.FindIndex(StoreSchema.Migrations, m => m.Contains("ADD COLUMN mailbox_id", StringComparison.Ordinal));
                for (var i = 0; i < before; i++)
                {
                    Execute(StoreSchema.Migrations[i] + $"\nPRAGMA user_version = {i + 1};");
                }
            }
            else
            {
                _schema = "t_" + Guid.NewGuid().ToString("N").Substring(0, 16);
                ExecutePostgres(TestStore.PostgresConnectionString, $"CREATE SCHEMA {_schema}");
                var before = Array.FindIndex(PostgresSchema.Migrations, m => m.Contains("ADD COLUMN mailbox_id", StringComparison.Ordinal));
                Execute("CREATE TABLE inboxps_schema (version integer NOT NULL)");
                for (var i = 0; i < before; i++)
                {
                    Execute(PostgresSchema.Migrations[i]);
                }

                Execute($"INSERT INTO inboxps_schema (version) VALUES ({before})");
            }
        }

        private string Setting => _kind == StoreKind.Sqlite
            ? _temp!.Combine("inboxps.db")
            : new NpgsqlConnectionStringBuilder(TestStore.PostgresConnectionString) { SearchPath = _schema }.ConnectionString;

        public static OldStore Create(StoreKind kind) => new(kind);

        /// <summary>Opens the store as InboxPS does, which runs the pending migrations.</summary>
        public IInboxStore Upgrade() => _store = _kind == StoreKind.Sqlite
            ? SqliteInboxStore.Open(Setting)
            : PostgresInboxStore.Open(PostgresConnectionSettings.Parse(Setting));

        public void Execute(string sql)
        {
            if (_kind == StoreKind.Postgres)
            {
                ExecutePostgres(Setting, sql);
                return;
            }

            using var connection = new SqliteConnection($"Data Source={Setting};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public object? Scalar(string sql)
        {
            System.Data.Common.DbConnection connection = _kind == StoreKind.Sqlite
                ? new SqliteConnection($"Data Source={Setting};Pooling=False")
                : new NpgsqlConnection(Setting);
            using (connection)
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                return command.ExecuteScalar();
            }
        }

        public void Dispose()
        {
            _store?.Dispose();
            if (_schema is not null)
            {
                NpgsqlConnection.ClearAllPools();
                ExecutePostgres(TestStore.PostgresConnectionString, $"DROP SCHEMA {_schema} CASCADE");
            }

            _temp?.Dispose();
        }

        private static void ExecutePostgres(string connectionString, string sql)
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
