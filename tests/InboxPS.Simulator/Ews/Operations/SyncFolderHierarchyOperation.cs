using System.Linq;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// SyncFolderHierarchy: the folders below SyncFolderId (msgfolderroot when omitted; "root" is a different starting point
/// with states of its own, as Microsoft warns) as Create/Update/Delete changes since the state.
/// </summary>
internal sealed class SyncFolderHierarchyOperation : EwsOperation
{
    private readonly FolderProps _props;
    private readonly XElement? _folderId;
    private readonly string? _syncState;

    public SyncFolderHierarchyOperation(XElement body, EwsServices services)
        : base(services)
    {
        _props = Shapes.FolderShape(Required(body, M + "FolderShape"));
        _folderId = body.Element(M + "SyncFolderId")?.Elements().FirstOrDefault();
        _syncState = (string?)body.Element(M + "SyncState");
    }

    public override string Name => "SyncFolderHierarchy";

    public override bool IsSync => true;

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        var (root, error) = _folderId is null ? (WellKnownFolders.MsgFolderRoot, null) : ResolveFolder(_folderId, mailbox);
        if (error is not null)
        {
            ErrorMessage(w, error);
            return;
        }

        var outcome = Services.Sync.SyncHierarchy(mailbox, root, _syncState, out var page);
        if (outcome != SyncOutcome.Ok || page is null)
        {
            ErrorMessage(w, outcome == SyncOutcome.FolderNotFound ? EwsError.SyncFolderNotFound : EwsError.InvalidSyncState);
            return;
        }

        Soap.StartMessage(w, "SyncFolderHierarchyResponseMessage", null);
        w.WriteElementString("m", "SyncState", Soap.MessagesNs, page.SyncState);
        w.WriteElementString("m", "IncludesLastFolderInRange", Soap.MessagesNs, Soap.Bool(page.IncludesLast));
        w.WriteStartElement("m", "Changes", Soap.MessagesNs);
        ItemsServed = page.Changes.Count;
        foreach (var change in page.Changes)
        {
            w.WriteStartElement("t", change.Kind == ChangeKind.Create ? "Create" : change.Kind == ChangeKind.Delete ? "Delete" : "Update", Soap.TypesNs);
            if (change.Folder is null)
            {
                Services.Writers.FolderId(w, "FolderId", change.Mailbox, change.FolderIndex, change.Version);
            }
            else
            {
                Services.Writers.Folder(w, change.Folder, _props);
            }

            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    protected override void WriteErrorTail(XmlWriter w)
    {
        w.WriteElementString("m", "SyncState", Soap.MessagesNs, null);
        w.WriteElementString("m", "IncludesLastFolderInRange", Soap.MessagesNs, "true");
    }
}
