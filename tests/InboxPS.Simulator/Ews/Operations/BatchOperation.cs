using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// An operation over a list of ids (GetFolder, GetItem): one response message per id, in request order, each succeeding
/// or failing on its own; errors carry the empty payload container the schema requires.
/// </summary>
internal abstract class BatchOperation : EwsOperation
{
    private readonly string _container;
    private readonly List<XElement> _ids;

    protected BatchOperation(XElement body, EwsServices services, string idList, string container)
        : base(services)
    {
        _container = container;
        _ids = NonEmptyList(body, idList);
    }

    public override int MessageCount => _ids.Count;

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        foreach (var id in _ids)
        {
            WriteOne(w, mailbox, id);
        }
    }

    /// <summary>Writes the message for one id: <see cref="Success"/> or <see cref="EwsOperation.ErrorMessage"/>.</summary>
    protected abstract void WriteOne(XmlWriter w, int mailbox, XElement id);

    protected void Success(XmlWriter w, System.Action<XmlWriter> writePayload)
    {
        ItemsServed++;
        Soap.StartMessage(w, Name + "ResponseMessage", null);
        w.WriteStartElement("m", _container, Soap.MessagesNs);
        writePayload(w);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    protected override void WriteErrorTail(XmlWriter w) => w.WriteElementString("m", _container, Soap.MessagesNs, null);

    private static List<XElement> NonEmptyList(XElement body, string name)
    {
        var items = Required(body, M + name).Elements().ToList();
        return items.Count > 0 ? items : throw new EwsFaultException(EwsError.SchemaValidation($"{name} must contain at least one id."));
    }
}
