using System;
using System.Buffers.Binary;

namespace InboxPS.Simulator.Tenant;

/// <summary>Where an item lives: mailbox index, folder index, item number.</summary>
internal readonly record struct ItemKey(int Mailbox, int Folder, int Number);

/// <summary>
/// Item and folder ids and change keys. They look like Exchange's (base64, "AAMkA..." items, "AAMuA..." folders) and are
/// opaque to clients; inside they carry the key plus a tenant salt so an id from another seed is rejected as malformed.
/// </summary>
internal sealed class EwsIds
{
    private const int ItemIdLength = 4 + 4 + 2 + 4 + 4;
    private const int FolderIdLength = 4 + 4 + 2 + 4;
    private static readonly byte[] s_itemPrefix = { 0x00, 0x03, 0x24, 0x00 };
    private static readonly byte[] s_folderPrefix = { 0x00, 0x03, 0x2E, 0x00 };

    private readonly uint _salt;

    public EwsIds(int seed)
    {
        _salt = (uint)Mix.Hash(seed, 0x1D5);
    }

    public string ItemId(ItemKey key)
    {
        Span<byte> bytes = stackalloc byte[ItemIdLength];
        s_itemPrefix.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], key.Mailbox);
        BinaryPrimitives.WriteInt16LittleEndian(bytes[8..], (short)key.Folder);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[10..], key.Number);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[14..], _salt ^ (uint)key.Number);
        return Convert.ToBase64String(bytes);
    }

    public bool TryParseItemId(string? id, out ItemKey key)
    {
        key = default;
        Span<byte> bytes = stackalloc byte[ItemIdLength + 3];
        if (id is null || !Convert.TryFromBase64String(id.Trim(), bytes, out var written) || written != ItemIdLength
            || !bytes[..4].SequenceEqual(s_itemPrefix))
        {
            return false;
        }

        key = new ItemKey(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt16LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[10..]));
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]) == (_salt ^ (uint)key.Number);
    }

    public string FolderId(int mailbox, int folder)
    {
        Span<byte> bytes = stackalloc byte[FolderIdLength];
        s_folderPrefix.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], mailbox);
        BinaryPrimitives.WriteInt16LittleEndian(bytes[8..], (short)folder);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[10..], _salt ^ (uint)folder);
        return Convert.ToBase64String(bytes);
    }

    public bool TryParseFolderId(string? id, out int mailbox, out int folder)
    {
        mailbox = folder = 0;
        Span<byte> bytes = stackalloc byte[FolderIdLength + 3];
        if (id is null || !Convert.TryFromBase64String(id.Trim(), bytes, out var written) || written != FolderIdLength
            || !bytes[..4].SequenceEqual(s_folderPrefix))
        {
            return false;
        }

        mailbox = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        folder = BinaryPrimitives.ReadInt16LittleEndian(bytes[8..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes[10..]) == (_salt ^ (uint)folder);
    }

    /// <summary>Item change keys start "CQAAABYA" like Exchange's and change with every version of the item.</summary>
    public string ItemChangeKey(ItemKey key, int version) => ChangeKey(0x09, key.Number, version);

    /// <summary>Folder change keys start "AQAAABYA".</summary>
    public string FolderChangeKey(int folder, int version) => ChangeKey(0x01, folder, version);

    private string ChangeKey(byte kind, int subject, int version)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        bytes[0] = kind;
        bytes[4] = 0x16;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], _salt ^ (uint)subject);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], version);
        return Convert.ToBase64String(bytes);
    }
}
