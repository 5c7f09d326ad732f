using System.Collections.Generic;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// GetItem: one GetItemResponseMessage per id, in request order. Ids of items that no longer exist are answered
/// ErrorItemNotFound and the rest still succeed, as in a real batch.
/// </summary>
internal sealed class GetItemOperation : EwsOperation
{
    private readonly ItemProps _props;
    private readonly List<XElement> _ids;

    public GetItemOperation(XElement body, EwsServices services)
        : base(services)
    {
        _props = Shapes.ItemShape(Required(body, M + "ItemShape"));
        _ids = NonEmptyList(body, "ItemIds");
    }

    public override string Name => "GetItem";

    public override int MessageCount => _ids.Count;

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        foreach (var id in _ids)
        {
            if (id.Name != T + "ItemId" || !Services.Ids.TryParseItemId((string?)id.Attribute("Id"), out var key))
            {
                ErrorMessage(w, EwsError.IdMalformed);
                continue;
            }

            var found = key.Mailbox != mailbox ? null : Services.Store.Read(mailbox, data =>
            {
                var folder = data.Folder(key.Folder);
                return folder is not null && folder.Exists(key.Number)
                    ? (Message: Services.Store.Resolve(mailbox, folder, key.Number), FolderVersion: folder.Version)
                    : ((MessageData Message, int FolderVersion)?)null;
            });
            if (found is not { } item)
            {
                ErrorMessage(w, EwsError.ItemNotFound);
                continue;
            }

            SuccessMessage(w, "Items", x => Services.Writers.Message(x, item.Message, _props, item.FolderVersion));
        }
    }

    // ItemInfoResponseMessageType requires Items even when the message is an error.
    protected override void WriteErrorTail(XmlWriter w) => w.WriteElementString("m", "Items", Soap.MessagesNs, null);
}
