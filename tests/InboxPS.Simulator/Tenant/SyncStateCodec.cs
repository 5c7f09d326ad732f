using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace InboxPS.Simulator.Tenant;

internal enum SyncKind : byte
{
    Items = 1,
    Hierarchy = 2,
}

/// <summary>
/// A position in one folder's (or one mailbox hierarchy's) change log. Watermark is the mailbox change sequence the
/// client has seen everything up to; while the first full enumeration is still paging, Initial is set and Cursor is the
/// item number to continue below (items come newest first).
/// </summary>
internal readonly record struct SyncPosition(
    SyncKind Kind, int Mailbox, int Folder, int GlobalEpoch, int LocalEpoch, long Watermark, bool Initial, int Cursor);

/// <summary>
/// Sync states are base64 of the position plus a MAC: a truncated, edited or foreign state (another simulator run,
/// another mailbox or folder, an invalidated epoch) is detected and answered ErrorInvalidSyncStateData.
/// </summary>
internal sealed class SyncStateCodec
{
    private const int PayloadLength = 1 + 1 + 4 + 2 + 4 + 4 + 8 + 1 + 4;
    private const int MacLength = 16;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Encode(SyncPosition p)
    {
        Span<byte> bytes = stackalloc byte[PayloadLength + MacLength];
        bytes[0] = 1;
        bytes[1] = (byte)p.Kind;
        BinaryPrimitives.WriteInt32LittleEndian(bytes[2..], p.Mailbox);
        BinaryPrimitives.WriteInt16LittleEndian(bytes[6..], (short)p.Folder);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], p.GlobalEpoch);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], p.LocalEpoch);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], p.Watermark);
        bytes[24] = p.Initial ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(bytes[25..], p.Cursor);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, bytes[..PayloadLength], mac);
        mac[..MacLength].CopyTo(bytes[PayloadLength..]);
        return Convert.ToBase64String(bytes);
    }

    public bool TryDecode(string? state, out SyncPosition position)
    {
        position = default;
        Span<byte> bytes = stackalloc byte[PayloadLength + MacLength + 3];
        if (string.IsNullOrWhiteSpace(state) || !Convert.TryFromBase64String(state.Trim(), bytes, out var written)
            || written != PayloadLength + MacLength || bytes[0] != 1)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, bytes[..PayloadLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], bytes.Slice(PayloadLength, MacLength)))
        {
            return false;
        }

        position = new SyncPosition(
            (SyncKind)bytes[1],
            BinaryPrimitives.ReadInt32LittleEndian(bytes[2..]),
            BinaryPrimitives.ReadInt16LittleEndian(bytes[6..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            bytes[24] == 1,
            BinaryPrimitives.ReadInt32LittleEndian(bytes[25..]));
        return true;
    }
}
