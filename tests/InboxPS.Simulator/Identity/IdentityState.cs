using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using InboxPS.Simulator.Graph;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Identity;

/// <summary>A grant waiting to be redeemed: a device code or an authorization code.</summary>
internal sealed class PendingGrant
{
    public required string ClientId { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required DateTimeOffset Expires { get; init; }

    public string? UserCode { get; init; }

    public string? RedirectUri { get; init; }

    public string? CodeChallenge { get; init; }

    public string? CodeChallengeMethod { get; init; }

    /// <summary>Who approved it (device code: through the control API; authorization code: at once).</summary>
    public DirectoryUser? ApprovedUser { get; set; }

    public bool Declined { get; set; }

    public int Redeemed;
}

/// <summary>A refresh token's record; the token itself is an opaque random string.</summary>
internal sealed record RefreshGrant(int UserIndex, string ClientId, IReadOnlyList<string> Scopes, long Generation);

/// <summary>
/// The identity provider's tenant: registered apps and their credentials, the service account's password, the grants in
/// flight, and refresh-token revocation (a password change revokes every refresh token issued before it).
/// </summary>
internal sealed class IdentityState
{
    private readonly ConcurrentDictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _validFromGeneration = new();
    private readonly ConcurrentDictionary<string, bool> _appPermission = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string[]> _graphPermissions = new(StringComparer.OrdinalIgnoreCase);
    private long _generation;
    private long _tokenLifetimeTicks;

    public IdentityState(int seed, TimeSpan tokenLifetime)
    {
        TenantId = SeededGuid(seed, 0x7E);
        ClientId = SeededGuid(seed, 0xA99);
        DelegatedClientId = SeededGuid(seed, 0xDE1);
        ManagedIdentityClientId = SeededGuid(seed, 0x3A1);
        ClientSecret = Secret("Sim8Q~", 34);
        CertificatePassword = Secret("", 20);
        ServiceAccountPassword = Secret("Pw!", 17);
        ManagedIdentityHeader = Secret("", 24);
        TokenLifetime = tokenLifetime;
        _appPermission[ClientId] = true;
        _appPermission[ManagedIdentityClientId] = true;
        _graphPermissions[ClientId] = GraphClouds.DefaultRoles;
        _graphPermissions[ManagedIdentityClientId] = GraphClouds.DefaultRoles;
    }

    public string TenantId { get; }

    public string ClientId { get; }

    public string DelegatedClientId { get; }

    public string ManagedIdentityClientId { get; }

    public string ClientSecret { get; }

    public string CertificatePassword { get; }

    public string ServiceAccountPassword { get; private set; }

    public string ManagedIdentityHeader { get; }

    /// <summary>Every token issued and client assertion received, for the security tests' scans.</summary>
    public IssuedSecrets Issued { get; } = new();

    public TimeSpan TokenLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _tokenLifetimeTicks));
        set => Interlocked.Exchange(ref _tokenLifetimeTicks, value.Ticks);
    }

    public ConcurrentDictionary<string, PendingGrant> DeviceCodes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, PendingGrant> AuthorizationCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the app (or managed identity) holds full_access_as_app; tokens issued without it carry no role.</summary>
    public bool HasAppPermission(string clientId) => _appPermission.TryGetValue(clientId, out var granted) && granted;

    public void SetAppPermission(string clientId, bool granted) => _appPermission[clientId] = granted;

    /// <summary>The Microsoft Graph application permissions consented for the app: the roles of its Graph tokens.</summary>
    public string[] GraphPermissions(string clientId) => _graphPermissions.TryGetValue(clientId, out var roles) ? roles : Array.Empty<string>();

    public void SetGraphPermissions(string clientId, IEnumerable<string> roles) => _graphPermissions[clientId] = roles.Distinct().ToArray();

    public bool IsConfidentialApp(string clientId) => clientId.Equals(ClientId, StringComparison.OrdinalIgnoreCase);

    public bool IsKnownClient(string clientId) => IsConfidentialApp(clientId) || clientId.Equals(DelegatedClientId, StringComparison.OrdinalIgnoreCase);

    public bool ServiceAccountPasswordMatches(string password) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(ServiceAccountPassword));

    public bool ClientSecretMatches(string secret) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(ClientSecret));

    /// <summary>A password change: the old password stops working and every refresh token issued so far is revoked.</summary>
    public void ChangeServiceAccountPassword(string newPassword)
    {
        ServiceAccountPassword = newPassword;
        RevokeRefreshTokens(0);
    }

    /// <summary>Revokes the user's refresh tokens (all users' when null), as "revoke sessions" in Entra does.</summary>
    public void RevokeRefreshTokens(int? userIndex)
    {
        var now = Interlocked.Increment(ref _generation);
        if (userIndex is { } index)
        {
            _validFromGeneration[index] = now;
            return;
        }

        foreach (var grant in _refreshTokens.Values)
        {
            _validFromGeneration[grant.UserIndex] = now;
        }
    }

    public string IssueRefreshToken(int userIndex, string clientId, IReadOnlyList<string> scopes)
    {
        var token = "1.Sim" + Base64Url(RandomNumberGenerator.GetBytes(48));
        Issued.Token(token);
        _refreshTokens[token] = new RefreshGrant(userIndex, clientId, scopes, Interlocked.Increment(ref _generation));
        return token;
    }

    public bool TryGetRefreshGrant(string token, out RefreshGrant grant, out bool revoked)
    {
        revoked = false;
        if (!_refreshTokens.TryGetValue(token, out grant!))
        {
            return false;
        }

        revoked = _validFromGeneration.TryGetValue(grant.UserIndex, out var validFrom) && grant.Generation < validFrom;
        return true;
    }

    public static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Stable per seed, so a restarted standalone simulator keeps its tenant and app ids.</summary>
    public static string SeededGuid(long seed, long purpose)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, Mix.Hash(seed, purpose));
        BitConverter.TryWriteBytes(bytes[8..], Mix.Hash(seed, purpose, 1));
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    private static string Secret(string prefix, int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return prefix + RandomNumberGenerator.GetString(alphabet, length);
    }
}
