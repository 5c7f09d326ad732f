using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// SyncFolderItems: at most MaxChangesReturned (1..512) changes since the state, newest first on the first sync, with
/// IncludesLastItemInRange false while more remain. Like Exchange it never returns MIME content here.
/// </summary>
internal sealed class SyncFolderItemsOperation : EwsOperation
{
    private readonly ItemProps _props;
    private readonly XElement _folderId;
    private readonly string? _syncState;
    private readonly List<string?> _ignore;
    private readonly int _max;

    public SyncFolderItemsOperation(XElement body, EwsServices services)
        : base(services)
    {
        _props = Shapes.ItemShape(Required(body, M + "ItemShape")) & ~ItemProps.MimeContent;
        _folderId = Required(body, M + "SyncFolderId").Elements().FirstOrDefault()
            ?? throw new EwsFaultException(EwsError.SchemaValidation("SyncFolderId must contain a FolderId or DistinguishedFolderId."));
        _syncState = (string?)body.Element(M + "SyncState");
        _ignore = body.Element(M + "Ignore")?.Elements(T + "ItemId").Select(e => (string?)e.Attribute("Id")).ToList() ?? new List<string?>();
        _max = ParseInt(Required(body, M + "MaxChangesReturned"), 1, 512);
        var scope = (string?)body.Element(M + "SyncScope");
        if (scope is not (null or "NormalItems" or "NormalAndAssociatedItems"))
        {
            throw new EwsFaultException(EwsError.SchemaValidation($"The 'SyncScope' element has an invalid value '{scope}'."));
        }
    }

    public override string Name => "SyncFolderItems";

    public override bool IsSync => true;

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        var (folder, error) = ResolveFolder(_folderId, mailbox);
        if (error is not null)
        {
            ErrorMessage(w, error);
            return;
        }

        var ignore = new HashSet<ItemKey>(_ignore.Select(id => Services.Ids.TryParseItemId(id, out var key) ? key : default));
        var outcome = Services.Sync.SyncItems(mailbox, folder, _syncState, _max, ignore, out var page);
        if (outcome != SyncOutcome.Ok || page is null)
        {
            ErrorMessage(w, outcome == SyncOutcome.FolderNotFound ? EwsError.SyncFolderNotFound : EwsError.InvalidSyncState);
            return;
        }

        var (folderVersion, folderName) = Services.Store.Read(mailbox, data => (data.Folders[folder].Version, data.Folders[folder].DisplayName));
        SyncFolder = folderName;
        Soap.StartMessage(w, "SyncFolderItemsResponseMessage", null);
        w.WriteElementString("m", "SyncState", Soap.MessagesNs, page.SyncState);
        w.WriteElementString("m", "IncludesLastItemInRange", Soap.MessagesNs, Soap.Bool(page.IncludesLast));
        w.WriteStartElement("m", "Changes", Soap.MessagesNs);
        ItemsServed = page.Changes.Count;
        foreach (var change in page.Changes)
        {
            WriteChange(w, change, folderVersion);
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    protected override void WriteErrorTail(XmlWriter w)
    {
        w.WriteElementString("m", "SyncState", Soap.MessagesNs, null);
        w.WriteElementString("m", "IncludesLastItemInRange", Soap.MessagesNs, "true");
    }

    private void WriteChange(XmlWriter w, ItemChangeOut change, int folderVersion)
    {
        switch (change.Kind)
        {
            case ChangeKind.Create or ChangeKind.Update:
                w.WriteStartElement("t", change.Kind == ChangeKind.Create ? "Create" : "Update", Soap.TypesNs);
                Services.Writers.Message(w, change.Message!, _props, folderVersion);
                break;
            case ChangeKind.ReadFlag:
                w.WriteStartElement("t", "ReadFlagChange", Soap.TypesNs);
                Services.Writers.ItemId(w, change.Key, change.Version);
                w.WriteElementString("t", "IsRead", Soap.TypesNs, Soap.Bool(change.IsRead));
                break;
            default:
                w.WriteStartElement("t", "Delete", Soap.TypesNs);
                Services.Writers.ItemId(w, change.Key, change.Version);
                break;
        }

        w.WriteEndElement();
    }
}
