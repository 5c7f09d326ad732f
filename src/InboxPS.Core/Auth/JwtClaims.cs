using System;
using System.Collections.Generic;
using System.Text.Json;

namespace InboxPS.Core.Auth;

/// <summary>
/// The few claims of an access token InboxPS shows or needs (expiry, account, app, tenant), read without validating the
/// signature: the token came from the admin or from MSAL, and Exchange validates it on every call.
/// </summary>
internal sealed class JwtClaims
{
    private JwtClaims(DateTimeOffset? expiresOn, string? account, string? appId, string? tenantId, IReadOnlyList<string> roles)
    {
        ExpiresOn = expiresOn;
        Account = account;
        AppId = appId;
        TenantId = tenantId;
        Roles = roles;
    }

    /// <summary>The application permissions of an app-only token ("roles"); empty when it names none.</summary>
    public IReadOnlyList<string> Roles { get; }

    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>The signed-in user (upn, unique_name or preferred_username); null for app-only tokens.</summary>
    public string? Account { get; }

    public string? AppId { get; }

    public string? TenantId { get; }

    /// <summary>The claims of <paramref name="token"/>, or null when it is not a JWT (some on-premises tokens are opaque).</summary>
    public static JwtClaims? TryRead(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(DecodeSegment(parts[1]));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            return new JwtClaims(expires,
                Text(root, "upn") ?? Text(root, "unique_name") ?? Text(root, "preferred_username"),
                Text(root, "appid") ?? Text(root, "azp"),
                Text(root, "tid"),
                Strings(root, "roles"));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> Strings(JsonElement root, string name)
    {
        var values = new List<string>();
        if (root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var value in array.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    values.Add(text);
                }
            }
        }

        return values;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] DecodeSegment(string segment)
    {
        var base64 = segment.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        return Convert.FromBase64String(base64);
    }
}
