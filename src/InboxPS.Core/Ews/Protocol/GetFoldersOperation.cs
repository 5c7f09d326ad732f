using System.Collections.Generic;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// GetFolder of several folders in one request: Exchange answers one response message per id, in request order. Any
/// Error message fails the call, as it would for that folder alone.
/// </summary>
internal sealed class GetFoldersOperation : EwsOperation<IReadOnlyList<EwsFolder>>
{
    private readonly IReadOnlyList<string> _folders;

    public GetFoldersOperation(IReadOnlyList<string> folders)
        : base("GetFolder")
    {
        _folders = folders;
    }

    public override void WriteBody(XmlWriter writer)
    {
        writer.WriteStartElement("m", "GetFolder", EwsNamespaces.Messages);
        FolderProperties.WriteShape(writer);
        writer.WriteStartElement("m", "FolderIds", EwsNamespaces.Messages);
        foreach (var folder in _folders)
        {
            FolderReference.Write(writer, folder);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    public override ResponseMessageHandler<IReadOnlyList<EwsFolder>> CreateHandler() => new Handler(_folders.Count);

    private sealed class Handler : ResponseMessageHandler<IReadOnlyList<EwsFolder>>
    {
        private readonly int _requested;
        private readonly List<EwsFolder> _found = new();
        private EwsFolder? _current;

        public Handler(int requested)
        {
            _requested = requested;
        }

        public override async Task ReadElementAsync(EwsXmlReader reader)
        {
            if (!reader.Is(reader.Names.Folders))
            {
                await reader.SkipAsync().ConfigureAwait(false);
                return;
            }

            // Read even when this message already has its folder: an element left unread would be offered again forever.
            var folder = await reader.ReadFirstChildAsync(FolderProperties.ReadAsync).ConfigureAwait(false);
            _current ??= folder;
        }

        public override void CompleteMessage(ResponseMessage message, EwsXmlReader reader)
        {
            if (message.Class == ResponseClass.Error)
            {
                throw message.ToException(reader.Context);
            }

            if (_found.Count >= _requested)
            {
                throw reader.Invalid($"GetFolder returned more response messages than the {_requested} folders asked for");
            }

            _found.Add(_current ?? throw reader.Invalid("GetFolder succeeded but returned no folder"));
            _current = null;
        }

        public override IReadOnlyList<EwsFolder> GetResult(EwsXmlReader reader) => _found.Count == _requested
            ? _found
            : throw reader.Invalid($"GetFolder answered {_found.Count} of the {_requested} folders asked for");
    }
}
