namespace InboxPS.Core.Store;

/// <summary>
/// The store's schema as an ordered list of migrations. Migration N brings a store from user_version N-1 to N inside
/// one transaction; a shipped migration is never edited, only followed by a new one.
/// </summary>
internal static class StoreSchema
{
    public static readonly string[] Migrations =
    {
        // 1: organization profiles (no secrets: those live in the OS-protected token cache or nowhere).
        """
        CREATE TABLE organizations (
            name            TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            access_type     TEXT NOT NULL,
            ews_url         TEXT NULL,
            environment     TEXT NOT NULL,
            tenant_id       TEXT NULL,
            client_id       TEXT NULL,
            authority       TEXT NULL,
            service_account TEXT NULL,
            created_utc     TEXT NOT NULL,
            modified_utc    TEXT NOT NULL
        );
        """,
    };

    public static int CurrentVersion => Migrations.Length;
}
