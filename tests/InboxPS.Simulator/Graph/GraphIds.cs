using System;
using System.Buffers.Binary;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// Graph's ids for the EWS ids of <see cref="EwsIds"/>. The default (REST) id of an item or folder is its EWS id in the
/// URL-safe alphabet ('/' → '-', '+' → '_'), which is how Exchange Online's REST ids relate to EWS ids; so an item's default
/// id changes when it moves, like its EWS id. The immutable id (Prefer: IdType="ImmutableId", translateExchangeIds
/// restImmutableEntryId) encodes where the item first arrived, so it survives moves. Folder ids are stable either way.
/// </summary>
internal sealed class GraphIds
{
    private const int ImmutableLength = 4 + 4 + 2 + 4 + 4;
    private static readonly byte[] s_immutablePrefix = { 0x00, 0x09, 0x2E, 0x00 };

    private readonly EwsIds _ews;
    private readonly uint _salt;

    public GraphIds(EwsIds ews, int seed)
    {
        _ews = ews;
        _salt = (uint)Mix.Hash(seed, 0x6A1);
    }

    public static string RestFromEws(string ewsId) => ewsId.Replace('/', '-').Replace('+', '_');

    public static string EwsFromRest(string restId) => restId.Replace('-', '/').Replace('_', '+');

    public string ItemId(ItemKey key) => RestFromEws(_ews.ItemId(key));

    public string FolderId(int mailbox, int folder) => RestFromEws(_ews.FolderId(mailbox, folder));

    public bool TryParseItemId(string id, out ItemKey key) => _ews.TryParseItemId(EwsFromRest(id), out key);

    public bool TryParseFolderId(string id, out int mailbox, out int folder) => _ews.TryParseFolderId(EwsFromRest(id), out mailbox, out folder);

    /// <summary>The immutable id of the item that first arrived at <paramref name="origin"/> (wherever it lives now).</summary>
    public string ImmutableItemId(ItemKey origin)
    {
        Span<byte> bytes = stackalloc byte[ImmutableLength];
        s_immutablePrefix.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], origin.Mailbox);
        BinaryPrimitives.WriteInt16LittleEndian(bytes[8..], (short)origin.Folder);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[10..], origin.Number);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[14..], _salt ^ (uint)origin.Number ^ (uint)(origin.Folder << 20));
        return RestFromEws(Convert.ToBase64String(bytes));
    }

    public bool TryParseImmutableItemId(string id, out ItemKey origin)
    {
        origin = default;
        Span<byte> bytes = stackalloc byte[ImmutableLength + 3];
        if (!Convert.TryFromBase64String(EwsFromRest(id.Trim()), bytes, out var written) || written != ImmutableLength
            || !bytes[..4].SequenceEqual(s_immutablePrefix))
        {
            return false;
        }

        origin = new ItemKey(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt16LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[10..]));
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]) == (_salt ^ (uint)origin.Number ^ (uint)(origin.Folder << 20));
    }
}
