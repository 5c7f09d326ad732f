using System;
using System.Collections.Generic;
using System.Globalization;

namespace InboxPS.Simulator.Tenant;

/// <summary>
/// The tenant's users, computed rather than stored: user N is a pure function of (seed, N), so 10,000 users cost nothing
/// until one of them changes. Index 0 is the service account, 1..Users the generated mailboxes, then the broken users.
/// </summary>
internal sealed class TenantDirectory
{
    public const string Domain = "contoso.test";
    public const string RoutingDomain = "contoso.onmicrosoft.test";
    public const string ServiceAccountAddress = "svc-inboxps@" + Domain;

    private static readonly string[] s_firstNames =
    {
        "Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kenji", "Lena", "Mateo", "Nadia",
        "Olu", "Priya", "Quinn", "Rafael", "Sofia", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë",
    };

    private static readonly string[] s_lastNames =
    {
        "Abara", "Berg", "Castillo", "Duarte", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jensen", "Kowalski",
        "Lindqvist", "Moreau", "Nakamura", "O'Brien", "Petrov", "Quispe", "Rossi", "Schmidt", "Tanaka", "Umarov", "Varga",
    };

    private readonly int _seed;
    private readonly string _format;
    private readonly string _sidPrefix;
    private readonly Dictionary<string, int> _namedUsers = new(StringComparer.OrdinalIgnoreCase);

    public TenantDirectory(int users, int seed, bool broken)
    {
        UserCount = users;
        _seed = seed;
        _format = "D" + Math.Max(4, users.ToString(CultureInfo.InvariantCulture).Length).ToString(CultureInfo.InvariantCulture);
        var h = Mix.Hash(seed, 0x51D);
        _sidPrefix = string.Create(CultureInfo.InvariantCulture, $"S-1-5-21-{(uint)h % 900_000_000 + 100_000_000}-{(uint)(h >> 32) % 900_000_000 + 100_000_000}-{(uint)Mix.Hash(seed, 0x51E) % 900_000_000 + 100_000_000}-");
        if (broken)
        {
            foreach (var kind in BrokenUsers.All)
            {
                _namedUsers[BrokenUsers.LocalPart(kind)] = users + 1 + (int)kind;
            }
        }
    }

    /// <summary>Generated (numbered) mailboxes.</summary>
    public int UserCount { get; }

    /// <summary>Every index that is a user: service account excluded.</summary>
    public int LastIndex => UserCount + _namedUsers.Count;

    public bool HasBrokenUsers => _namedUsers.Count > 0;

    public DirectoryUser ServiceAccount => Get(0);

    public string PrimarySmtp(int index) => LocalPart(index) + "@" + Domain;

    public DirectoryUser Get(int index)
    {
        if (index < 0 || index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        var local = LocalPart(index);
        var primary = local + "@" + Domain;
        return new DirectoryUser(
            index,
            primary,
            primary,
            _sidPrefix + (1000 + index).ToString(CultureInfo.InvariantCulture),
            DisplayName(index),
            local + "@" + RoutingDomain,
            BrokenKindOf(index));
    }

    /// <summary>Finds a user by primary SMTP address or alias, UPN, or SID, the four ways ConnectingSID names one.</summary>
    public DirectoryUser? Find(string value)
    {
        value = value.Trim();
        if (value.StartsWith(_sidPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return int.TryParse(value.AsSpan(_sidPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var rid)
                && rid - 1000 >= 0 && rid - 1000 <= LastIndex && Get(rid - 1000).Sid.Equals(value, StringComparison.OrdinalIgnoreCase)
                ? Get(rid - 1000)
                : null;
        }

        var at = value.IndexOf('@');
        if (at <= 0)
        {
            return null;
        }

        var domain = value[(at + 1)..];
        if (!domain.Equals(Domain, StringComparison.OrdinalIgnoreCase) && !domain.Equals(RoutingDomain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var index = IndexOfLocalPart(value[..at]);
        return index is null ? null : Get(index.Value);
    }

    private int? IndexOfLocalPart(string local)
    {
        if (local.Equals("svc-inboxps", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (_namedUsers.TryGetValue(local, out var named))
        {
            return named;
        }

        // Strict: user1@ is not user0001@ (a real directory does not do prefix or number matching either).
        return local.StartsWith("user", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(local.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && n <= UserCount
            && LocalPart(n).Equals(local, StringComparison.OrdinalIgnoreCase)
            ? n
            : null;
    }

    private string LocalPart(int index)
    {
        if (index == 0)
        {
            return "svc-inboxps";
        }

        return index <= UserCount ? "user" + index.ToString(_format, CultureInfo.InvariantCulture) : BrokenUsers.LocalPart((BrokenKind)(index - UserCount - 1));
    }

    private BrokenKind? BrokenKindOf(int index) => index > UserCount ? (BrokenKind)(index - UserCount - 1) : null;

    private string DisplayName(int index)
    {
        if (index == 0)
        {
            return "InboxPS Service Account";
        }

        var h = Mix.Hash(_seed, 0xD15, index);
        return s_firstNames[Mix.Pick(h, s_firstNames.Length)] + " " + s_lastNames[Mix.Pick(h >> 20, s_lastNames.Length)];
    }
}

/// <summary>One user as the directory knows them.</summary>
internal sealed record DirectoryUser(int Index, string PrimarySmtp, string Upn, string Sid, string DisplayName, string Alias, BrokenKind? Broken);

/// <summary>The deliberately broken users of a --broken tenant, in index order after the numbered mailboxes.</summary>
internal enum BrokenKind
{
    OutOfScope = 0,
    NoLicense = 1,
    Moving = 2,
    Throttled = 3,

    /// <summary>A second service account that signs in like the first, but has neither licence nor mailbox.</summary>
    UnlicensedServiceAccount = 4,
}

internal static class BrokenUsers
{
    public static readonly BrokenKind[] All =
        { BrokenKind.OutOfScope, BrokenKind.NoLicense, BrokenKind.Moving, BrokenKind.Throttled, BrokenKind.UnlicensedServiceAccount };

    public static string LocalPart(BrokenKind kind) => kind switch
    {
        BrokenKind.OutOfScope => "outofscope",
        BrokenKind.NoLicense => "nolicense",
        BrokenKind.Moving => "moving",
        BrokenKind.UnlicensedServiceAccount => "svc-unlicensed",
        _ => "throttled",
    };
}
