using System.Collections.Generic;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>GetFolder: one GetFolderResponseMessage per FolderId / DistinguishedFolderId.</summary>
internal sealed class GetFolderOperation : EwsOperation
{
    private readonly FolderProps _props;
    private readonly List<XElement> _ids;

    public GetFolderOperation(XElement body, EwsServices services)
        : base(services)
    {
        _props = Shapes.FolderShape(Required(body, M + "FolderShape"));
        _ids = NonEmptyList(body, "FolderIds");
    }

    public override string Name => "GetFolder";

    public override int MessageCount => _ids.Count;

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        foreach (var id in _ids)
        {
            var (index, error) = ResolveFolder(id, mailbox);
            var view = error is null
                ? Services.Store.Read(mailbox, data => data.Folder(index) is { } folder ? FolderView.Of(Services.Store, mailbox, data, folder) : null)
                : null;
            if (view is null)
            {
                ErrorMessage(w, error ?? EwsError.FolderNotFound);
                continue;
            }

            SuccessMessage(w, "Folders", x => Services.Writers.Folder(x, view, _props));
        }
    }

    protected override void WriteErrorTail(XmlWriter w) => w.WriteElementString("m", "Folders", Soap.MessagesNs, null);
}
