using System.Collections.Generic;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// GetItem of a batch of ids. Exchange answers one response message per id, in request order; errors that belong to
/// one item (deleted since the sync page, corrupt) are kept per item, anything else fails the batch.
/// </summary>
internal sealed class GetItemOperation : EwsOperation<EwsItemBatch>
{
    private readonly IReadOnlyList<string> _itemIds;
    private readonly bool _includeMimeContent;

    public GetItemOperation(IReadOnlyList<string> itemIds, bool includeMimeContent)
        : base("GetItem")
    {
        _itemIds = itemIds;
        _includeMimeContent = includeMimeContent;
    }

    public override void WriteBody(XmlWriter writer)
    {
        writer.WriteStartElement("m", "GetItem", EwsNamespaces.Messages);
        ItemProperties.WriteShape(writer, _includeMimeContent);
        writer.WriteStartElement("m", "ItemIds", EwsNamespaces.Messages);
        foreach (var id in _itemIds)
        {
            writer.WriteStartElement("t", "ItemId", EwsNamespaces.Types);
            writer.WriteAttributeString("Id", id);
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    public override ResponseMessageHandler<EwsItemBatch> CreateHandler() => new Handler(_itemIds);

    private sealed class Handler : ResponseMessageHandler<EwsItemBatch>
    {
        private readonly IReadOnlyList<string> _requested;
        private readonly List<EwsItem> _items = new();
        private readonly List<string> _missing = new();
        private readonly List<EwsItemFailure> _failed = new();
        private EwsItem? _current;
        private int _messages;

        public Handler(IReadOnlyList<string> requested)
        {
            _requested = requested;
        }

        public override async Task ReadElementAsync(EwsXmlReader reader)
        {
            if (!reader.Is(reader.Names.Items))
            {
                await reader.SkipAsync().ConfigureAwait(false);
                return;
            }

            // Read even when this message already has its item: an element left unread would be offered again forever.
            var item = await reader.ReadFirstChildAsync(ItemProperties.ReadAsync).ConfigureAwait(false);
            _current ??= item;
        }

        public override void CompleteMessage(ResponseMessage message, EwsXmlReader reader)
        {
            if (_messages >= _requested.Count)
            {
                throw reader.Invalid($"GetItem returned more response messages than the {_requested.Count} ids asked for");
            }

            var requestedId = _requested[_messages++];
            var item = _current;
            _current = null;
            if (message.Class != ResponseClass.Error)
            {
                _items.Add(item ?? throw reader.Invalid($"GetItem succeeded for '{requestedId}' but returned no item"));
                return;
            }

            var code = message.ResponseCode!;
            if (!EwsErrors.IsItemScoped(code))
            {
                throw message.ToException(reader.Context);
            }

            if (code == "ErrorItemNotFound")
            {
                _missing.Add(requestedId);
            }
            else
            {
                _failed.Add(new EwsItemFailure(requestedId, message.ToException(reader.Context)));
            }
        }

        public override EwsItemBatch GetResult(EwsXmlReader reader) => _messages == _requested.Count
            ? new EwsItemBatch(_items, _missing, _failed)
            : throw reader.Invalid($"GetItem answered {_messages} of the {_requested.Count} ids asked for");
    }
}
