using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// GetItem: one GetItemResponseMessage per id, in request order. Ids of items that no longer exist are answered
/// ErrorItemNotFound and the rest still succeed, as in a real batch.
/// </summary>
internal sealed class GetItemOperation : BatchOperation
{
    private readonly ItemProps _props;

    public GetItemOperation(XElement body, EwsServices services)
        : base(body, services, "ItemIds", "Items")
    {
        _props = Shapes.ItemShape(Required(body, M + "ItemShape"));
    }

    public override string Name => "GetItem";

    protected override void WriteOne(XmlWriter w, int mailbox, XElement id)
    {
        if (id.Name != T + "ItemId" || !Services.Ids.TryParseItemId((string?)id.Attribute("Id"), out var key))
        {
            ErrorMessage(w, EwsError.IdMalformed);
            return;
        }

        if (Services.Store.UnreadableCode((string)id.Attribute("Id")!) is { } code)
        {
            ErrorMessage(w, new EwsError(code, $"The item cannot be read ({code})."));
            return;
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
            return;
        }

        Success(w, x => Services.Writers.Message(x, item.Message, _props, item.FolderVersion));
    }
}
