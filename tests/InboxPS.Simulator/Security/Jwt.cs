using System;
using System.Buffers.Text;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace InboxPS.Simulator.Security;

/// <summary>Compact JWS (RS256) signing and checking: the little of JOSE an identity endpoint and a resource server need.</summary>
internal static class Jwt
{
    public static string Sign(RSA key, string keyId, Action<Utf8JsonWriter> writeClaims)
    {
        var header = Encode(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", "RS256");
            w.WriteString("kid", keyId);
        });
        var payload = Encode(writeClaims);
        var signingInput = header + "." + payload;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>An unsigned JWT (alg none), which is all MSAL reads from an id_token.</summary>
    public static string Unsigned(Action<Utf8JsonWriter> writeClaims) =>
        Encode(w => { w.WriteString("typ", "JWT"); w.WriteString("alg", "none"); }) + "." + Encode(writeClaims) + ".";

    /// <summary>Splits and decodes a token; says nothing yet about whether it is genuine.</summary>
    public static bool TryParse(string token, out ParsedJwt parsed)
    {
        parsed = default;
        var parts = token.Split('.');
        if (parts.Length != 3 || token.Length > 16 * 1024)
        {
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            parsed = new ParsedJwt(
                header.RootElement.Clone(),
                payload.RootElement.Clone(),
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
                Base64Url.DecodeFromChars(parts[2]));
            return parsed.Header.ValueKind == JsonValueKind.Object && parsed.Payload.ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    private static string Encode(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.ToArray());
    }
}

/// <summary>A decoded JWT: header, claims, and what the signature covers.</summary>
internal readonly record struct ParsedJwt(JsonElement Header, JsonElement Payload, byte[] SigningInput, byte[] Signature)
{
    public string? HeaderString(string name) =>
        Header.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string? Claim(string name) =>
        Payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate claim; MSAL writes the ones in its client assertions as strings, so both forms count.</summary>
    public long? NumericClaim(string name) => Payload.TryGetProperty(name, out var value) switch
    {
        true when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) => n,
        true when value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
        _ => null,
    };

    /// <summary>Checks the signature with RS256, or PS256 (which MSAL uses for certificate assertions on AAD authorities).</summary>
    public bool SignatureMatches(RSA key)
    {
        var padding = HeaderString("alg") switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        return padding is not null && key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, padding);
    }
}
