using System;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// Where a delta round (or a users listing) stands. Self-describing on purpose (a versioned JSON document, so tests and bug reports can read
/// one), opaque to clients (base64url plus a MAC, like the EWS side's SyncStateCodec): an edited or foreign token is
/// refused with 410 SyncStateNotFound.
/// </summary>
internal sealed record DeltaState
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; init; } = CurrentVersion;

    /// <summary>"messages", "mailFolders" or "users".</summary>
    [JsonPropertyName("k")] public string Kind { get; init; } = "";

    [JsonPropertyName("m")] public int Mailbox { get; init; }

    [JsonPropertyName("f")] public int Folder { get; init; }

    /// <summary>The app the round belongs to (a token is not transferable between apps).</summary>
    [JsonPropertyName("a")] public string App { get; init; } = "";

    /// <summary>$select of the first request (tokens carry the query options; links are followed verbatim).</summary>
    [JsonPropertyName("sel")] public string? Select { get; init; }

    /// <summary>The custom changeType=created|updated|deleted option of the first request.</summary>
    [JsonPropertyName("ct")] public string? ChangeType { get; init; }

    /// <summary>The underlying position: the EWS sync state of the same folder (one change log for both protocols).</summary>
    [JsonPropertyName("s")] public string? SyncState { get; init; }

    /// <summary>mailFolders: how many folders of this round were already sent.</summary>
    [JsonPropertyName("off")] public int Offset { get; init; }

    /// <summary>The generation this link was issued as; with stale links refused, only the newest generation is good.</summary>
    [JsonPropertyName("gen")] public int Generation { get; init; }

    /// <summary>The Graph-side epoch when issued: expiring tokens bumps it.</summary>
    [JsonPropertyName("ep")] public int Epoch { get; init; }

    /// <summary>True for a deltaLink ($deltatoken), false for a nextLink ($skiptoken).</summary>
    [JsonPropertyName("dl")] public bool IsDeltaLink { get; init; }

    /// <summary>users paging: $filter and $top of the first request.</summary>
    [JsonPropertyName("flt")] public string? Filter { get; init; }

    [JsonPropertyName("top")] public int Top { get; init; }

    /// <summary>The last item number sent (what a replay quirk sends again).</summary>
    [JsonPropertyName("last")] public int? LastItem { get; init; }
}

internal sealed class DeltaTokenCodec
{
    private const int MacLength = 16;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Encode(DeltaState state)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(state);
        var bytes = new byte[payload.Length + MacLength];
        payload.CopyTo(bytes, 0);
        HMACSHA256.HashData(_key, payload).AsSpan(0, MacLength).CopyTo(bytes.AsSpan(payload.Length));
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    public bool TryDecode(string? token, out DeltaState state)
    {
        state = new DeltaState();
        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(token ?? "");
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length <= MacLength)
        {
            return false;
        }

        var payload = bytes.AsSpan(0, bytes.Length - MacLength);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload).AsSpan(0, MacLength), bytes.AsSpan(payload.Length)))
        {
            return false;
        }

        try
        {
            state = JsonSerializer.Deserialize<DeltaState>(payload) ?? new DeltaState();
        }
        catch (JsonException)
        {
            return false;
        }

        return state.Version == DeltaState.CurrentVersion;
    }
}
