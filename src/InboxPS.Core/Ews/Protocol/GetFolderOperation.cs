using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>GetFolder of one folder; on a distinguished folder it is also the cheapest impersonation probe.</summary>
internal sealed class GetFolderOperation : EwsOperation<EwsFolder>
{
    private readonly string _folder;

    public GetFolderOperation(string folder)
        : base("GetFolder")
    {
        _folder = folder;
    }

    public override void WriteBody(XmlWriter writer)
    {
        writer.WriteStartElement("m", "GetFolder", EwsNamespaces.Messages);
        FolderProperties.WriteShape(writer);
        writer.WriteStartElement("m", "FolderIds", EwsNamespaces.Messages);
        FolderReference.Write(writer, _folder);
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    public override ResponseMessageHandler<EwsFolder> CreateHandler() => new Handler();

    private sealed class Handler : SingleMessageHandler<EwsFolder>
    {
        private EwsFolder? _folder;

        public override async Task ReadElementAsync(EwsXmlReader reader)
        {
            if (!reader.Is(reader.Names.Folders))
            {
                await reader.SkipAsync().ConfigureAwait(false);
                return;
            }

            // Read even when a folder is already known: an element left unread would be offered again forever.
            var folder = await reader.ReadFirstChildAsync(FolderProperties.ReadAsync).ConfigureAwait(false);
            _folder ??= folder;
        }

        protected override EwsFolder BuildResult(EwsXmlReader reader) =>
            _folder ?? throw reader.Invalid("GetFolder succeeded but returned no folder");
    }
}
