using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>GetFolder: one GetFolderResponseMessage per FolderId / DistinguishedFolderId.</summary>
internal sealed class GetFolderOperation : BatchOperation
{
    private readonly FolderProps _props;

    public GetFolderOperation(XElement body, EwsServices services)
        : base(body, services, "FolderIds", "Folders")
    {
        _props = Shapes.FolderShape(Required(body, M + "FolderShape"));
    }

    public override string Name => "GetFolder";

    protected override void WriteOne(XmlWriter w, int mailbox, XElement id)
    {
        var (index, error) = ResolveFolder(id, mailbox);
        var view = error is null
            ? Services.Store.Read(mailbox, data => data.Folder(index) is { } folder ? FolderView.Of(Services.Store, mailbox, data, folder) : null)
            : null;
        if (view is null)
        {
            ErrorMessage(w, error ?? EwsError.FolderNotFound);
            return;
        }

        Success(w, x => Services.Writers.Folder(x, view, _props));
    }
}
