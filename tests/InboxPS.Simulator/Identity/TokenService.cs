using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using InboxPS.Simulator.Graph;
using InboxPS.Simulator.Security;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Identity;

/// <summary>Who a valid access token speaks for.</summary>
internal sealed record TokenPrincipal(bool IsAppOnly, string AppId, int? UserIndex, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes);

/// <summary>Why a bearer token was refused, in the words Exchange uses in x-ms-diagnostics.</summary>
internal sealed record TokenRejection(int DiagnosticCode, string Reason, string Category);

/// <summary>
/// Issues the JWTs the identity endpoint hands out (access tokens shaped like Entra's v1 tokens for Exchange, id tokens,
/// client_info) and validates access tokens for the EWS endpoint: signature, issuer, audience, tenant, lifetime.
/// </summary>
internal sealed class TokenService
{
    public const string ExchangeResource = "https://outlook.office365.com";
    public const string ExchangeAppId = "00000002-0000-0ff1-ce00-000000000000";
    public const string AppRole = "full_access_as_app";
    public const string DelegatedScope = "EWS.AccessAsUser.All";

    private readonly KeyMaterial _keys;
    private readonly IdentityState _identity;
    private readonly int _seed;
    private readonly Func<Uri> _baseUri;

    public TokenService(KeyMaterial keys, IdentityState identity, int seed, Func<Uri> baseUri)
    {
        _keys = keys;
        _identity = identity;
        _seed = seed;
        _baseUri = baseUri;
    }

    public string Issuer => TenantUrl("v2.0");

    public string TenantUrl(string path) => new Uri(_baseUri(), _identity.TenantId + "/" + path).ToString();

    public string UserObjectId(int userIndex)
    {
        var bytes = Guid.Parse(IdentityState.SeededGuid(_seed, 0x0B1D_0000L + userIndex)).ToByteArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), userIndex ^ ObjectIdMask);
        return new Guid(bytes).ToString();
    }

    private int ObjectIdMask => (int)Mix.Hash(_seed, 0x0B1D);

    /// <summary>
    /// An app-only token for Exchange (roles: full_access_as_app when granted) or, when <paramref name="graphRoot"/> names
    /// a Graph root, for Microsoft Graph (audience that root, roles: the app's consented Graph permissions).
    /// </summary>
    public string AppToken(string clientId, DateTimeOffset now, out DateTimeOffset expires, string? graphRoot = null)
    {
        var lifetime = _identity.TokenLifetime;
        expires = now + lifetime;
        var roles = graphRoot is null
            ? (_identity.HasAppPermission(clientId) ? new[] { AppRole } : Array.Empty<string>())
            : _identity.GraphPermissions(clientId);
        return Sign(now, lifetime, graphRoot ?? ExchangeResource, w =>
        {
            w.WriteString("appid", clientId);
            w.WriteString("appidacr", "2");
            w.WriteString("idtyp", "app");
            w.WriteString("oid", AppObjectId(clientId));
            w.WriteString("sub", clientId);
            w.WriteStartArray("roles");
            foreach (var role in roles)
            {
                w.WriteStringValue(role);
            }

            w.WriteEndArray();
        });
    }

    public string UserToken(DirectoryUser user, string clientId, DateTimeOffset now, out DateTimeOffset expires)
    {
        var lifetime = _identity.TokenLifetime;
        expires = now + lifetime;
        return Sign(now, lifetime, ExchangeResource, w =>
        {
            w.WriteString("appid", clientId);
            w.WriteString("appidacr", "0");
            w.WriteString("idtyp", "user");
            w.WriteString("oid", UserObjectId(user.Index));
            w.WriteString("sub", UserObjectId(user.Index));
            w.WriteString("upn", user.Upn);
            w.WriteString("unique_name", user.Upn);
            w.WriteString("name", user.DisplayName);
            w.WriteString("scp", DelegatedScope);
        });
    }

    public string IdToken(DirectoryUser user, string clientId, DateTimeOffset now) =>
        Jwt.Sign(_keys.TokenSigningKey, _keys.TokenKeyId, w =>
        {
            w.WriteString("aud", clientId);
            w.WriteString("iss", Issuer);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("nbf", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", now.AddHours(1).ToUnixTimeSeconds());
            w.WriteString("name", user.DisplayName);
            w.WriteString("oid", UserObjectId(user.Index));
            w.WriteString("preferred_username", user.Upn);
            w.WriteString("sub", UserObjectId(user.Index));
            w.WriteString("tid", _identity.TenantId);
            w.WriteString("ver", "2.0");
        });

    /// <summary>What MSAL builds the account's home id from: base64url of {"uid":oid,"utid":tenant}.</summary>
    public string ClientInfo(DirectoryUser user) =>
        IdentityState.Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["uid"] = UserObjectId(user.Index),
            ["utid"] = _identity.TenantId,
        }));

    /// <summary>Checks a bearer token the way Exchange's OAuth module does; null rejection means it is good.</summary>
    public TokenRejection? Validate(string token, DateTimeOffset now, out TokenPrincipal? principal) =>
        Validate(token, now, aud => aud is ExchangeResource or ExchangeAppId, roles => roles.Contains(AppRole), out principal);

    /// <summary>
    /// Checks a bearer token for Microsoft Graph: the audience must be <paramref name="graphRoot"/> (one cloud's root) and an
    /// app-only token must carry at least one Graph role; which role an endpoint needs is the endpoint's business.
    /// </summary>
    public TokenRejection? ValidateGraph(string token, DateTimeOffset now, string graphRoot, out TokenPrincipal? principal) =>
        Validate(token, now, aud => aud == graphRoot || (aud == GraphClouds.GraphAppId && graphRoot == GraphClouds.Global.Root),
            roles => roles.Any(GraphClouds.IsGraphRole), out principal);

    private TokenRejection? Validate(string token, DateTimeOffset now, Func<string?, bool> audienceAccepted,
        Func<IReadOnlyList<string>, bool> appRolesSuffice, out TokenPrincipal? principal)
    {
        principal = null;
        if (!Jwt.TryParse(token, out var jwt))
        {
            return new TokenRejection(2000001, "The token is not a valid JSON web token.", "invalid_token");
        }

        if (jwt.HeaderString("alg") != "RS256" || jwt.HeaderString("kid") != _keys.TokenKeyId || !jwt.SignatureMatches(_keys.TokenSigningKey))
        {
            return new TokenRejection(2000000, "The token has an invalid signature.", "invalid_signature");
        }

        if (jwt.Claim("iss") != Issuer || jwt.Claim("tid") != _identity.TenantId)
        {
            return new TokenRejection(2000004, "The token was issued for a different tenant or by an untrusted issuer.", "invalid_tenant");
        }

        if (!audienceAccepted(jwt.Claim("aud")))
        {
            return new TokenRejection(2000003, "The audience claim value is invalid for current resource. Audience claim is '" + jwt.Claim("aud") + "'.", "invalid_resource");
        }

        if (jwt.NumericClaim("exp") is not { } exp || exp <= now.ToUnixTimeSeconds() || (jwt.NumericClaim("nbf") ?? 0) > now.ToUnixTimeSeconds() + 300)
        {
            return new TokenRejection(2000002, "The token has expired.", "invalid_token");
        }

        var roles = jwt.Payload.TryGetProperty("roles", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
            : new List<string>();
        var scopes = (jwt.Claim("scp") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var isApp = jwt.Claim("idtyp") == "app";
        if (isApp ? !appRolesSuffice(roles) : !scopes.Contains(DelegatedScope))
        {
            return new TokenRejection(2000008, "The token contains no permissions, or permissions can not be understood.", "invalid_grant");
        }

        int? userIndex = isApp ? null : UserIndexOf(jwt.Claim("oid"));
        principal = new TokenPrincipal(isApp, jwt.Claim("appid") ?? "", userIndex, roles, scopes);
        return null;
    }

    /// <summary>The service principal's object id: stable for a client id and seed (string.GetHashCode is per process).</summary>
    public string AppObjectId(string clientId)
    {
        var hash = 0L;
        foreach (var c in clientId.ToLowerInvariant())
        {
            hash = unchecked((long)Mix.Hash(hash, c));
        }

        return IdentityState.SeededGuid(_seed, hash);
    }

    /// <summary>The user an object id belongs to: the index rides in the id (masked) and is checked by recomputing it.</summary>
    public int? UserIndexOf(string? oid)
    {
        if (!Guid.TryParse(oid, out var guid))
        {
            return null;
        }

        var index = BitConverter.ToInt32(guid.ToByteArray(), 0) ^ ObjectIdMask;
        return index >= 0 && UserObjectId(index) == oid ? index : null;
    }

    private string Sign(DateTimeOffset now, TimeSpan lifetime, string audience, Action<Utf8JsonWriter> claims)
    {
        var token = Jwt.Sign(_keys.TokenSigningKey, _keys.TokenKeyId, w =>
        {
            w.WriteString("aud", audience);
            w.WriteString("iss", Issuer);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("nbf", now.ToUnixTimeSeconds());
            // Rounded up so a one-second lifetime really lasts at least a second.
            w.WriteNumber("exp", (long)Math.Ceiling((now + lifetime).ToUnixTimeMilliseconds() / 1000.0));
            w.WriteString("tid", _identity.TenantId);
            w.WriteString("ver", "1.0");
            claims(w);
        });
        _identity.Issued.Token(token);
        return token;
    }
}
