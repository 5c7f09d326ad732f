using System;
using System.Collections.Generic;

namespace InboxPS.Core.Store;

/// <summary>
/// Test-InboxStore's verdict on one store: whether it can be used as it is, what is wrong when not, and what to do.
/// </summary>
public sealed class StoreCheckResult
{
    /// <summary>The store opens, its schema is one this module understands, and (SQLite) every page checks out.</summary>
    public const string Healthy = "Healthy";

    /// <summary>SQLite's integrity check found damage, or the file is not a SQLite database at all.</summary>
    public const string Damaged = "Damaged";

    /// <summary>A newer InboxPS wrote the store.</summary>
    public const string SchemaTooNew = "SchemaTooNew";

    /// <summary>No store yet: the file does not exist, or the database has no InboxPS tables.</summary>
    public const string Missing = "Missing";

    /// <summary>A zero-byte file, which InboxPS refuses to open (see StoreEmpty).</summary>
    public const string Empty = "Empty";

    /// <summary>The store could not be reached or opened (PostgreSQL down or refusing the sign-in, a file not readable).</summary>
    public const string Unreachable = "Unreachable";

    internal StoreCheckResult(string kind, string location, string verdict, int? schemaVersion, int supportedSchemaVersion,
        IReadOnlyList<string> problems, string? recommendedAction, long? size = null)
    {
        Kind = kind;
        Location = location;
        Verdict = verdict;
        SchemaVersion = schemaVersion;
        SupportedSchemaVersion = supportedSchemaVersion;
        Problems = problems;
        RecommendedAction = recommendedAction;
        Size = size;
        CheckedOn = DateTimeOffset.UtcNow;
    }

    /// <summary>SQLite or PostgreSQL.</summary>
    public string Kind { get; }

    /// <summary>The file, or the database's address without its password.</summary>
    public string Location { get; }

    /// <summary>One of Healthy, Damaged, SchemaTooNew, Missing, Empty, Unreachable.</summary>
    public string Verdict { get; }

    public bool IsHealthy => Verdict == Healthy;

    /// <summary>The schema version the store carries; null when it could not be read.</summary>
    public int? SchemaVersion { get; }

    /// <summary>The newest schema version this module understands.</summary>
    public int SupportedSchemaVersion { get; }

    /// <summary>What the check found wrong (SQLite's integrity_check lines, or the error that stopped the check).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>What to do about it; null for a healthy store.</summary>
    public string? RecommendedAction { get; }

    /// <summary>The file's size in bytes (SQLite); null for PostgreSQL.</summary>
    public long? Size { get; }

    public DateTimeOffset CheckedOn { get; }
}
