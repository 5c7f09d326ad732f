using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>What the operations work on: the tenant, the sync engine, id codecs, writers and metrics.</summary>
internal sealed record EwsServices(TenantStore Store, SyncEngine Sync, EwsWriters Writers, MetricsRecorder Metrics)
{
    public EwsIds Ids => Store.Ids;
}

/// <summary>
/// One parsed EWS operation. Parsing validates the request (schema violations throw an ErrorSchemaValidation fault);
/// writing emits one response message per requested thing, or the same error in each (e.g. a mailbox being moved).
/// </summary>
internal abstract class EwsOperation
{
    protected static readonly XNamespace T = Soap.TypesNs;
    protected static readonly XNamespace M = Soap.MessagesNs;

    private static readonly Dictionary<string, int> s_distinguished = WellKnownFolders.Create(0)
        .Where(f => f.DistinguishedName is not null)
        .ToDictionary(f => f.DistinguishedName!, f => f.Index, StringComparer.Ordinal);

    protected EwsOperation(EwsServices services)
    {
        Services = services;
    }

    public abstract string Name { get; }

    /// <summary>Counts against ConcurrentSyncCalls.</summary>
    public virtual bool IsSync => false;

    public virtual int MessageCount => 1;

    /// <summary>Items (changes, messages, folders) the answer carries: what the service-time model charges per item.</summary>
    public int ItemsServed { get; protected set; }

    /// <summary>The display name of the folder a sync page synced (null for other answers): its chain in the metrics.</summary>
    public string? SyncFolder { get; protected set; }

    protected EwsServices Services { get; }

    public static EwsOperation Parse(EwsRequest request, EwsServices services) => request.Name switch
    {
        "GetFolder" => new GetFolderOperation(request.Operation, services),
        "SyncFolderHierarchy" => new SyncFolderHierarchyOperation(request.Operation, services),
        "SyncFolderItems" => new SyncFolderItemsOperation(request.Operation, services),
        "GetItem" => new GetItemOperation(request.Operation, services),
        "ResolveNames" => new ResolveNamesOperation(request.Operation, services),
        _ => throw new EwsFaultException(EwsError.InvalidRequest($"The Exchange simulator does not implement the '{request.Name}' operation.")),
    };

    /// <summary>The whole response envelope for the target mailbox.</summary>
    public byte[] Respond(int mailbox) => Soap.Envelope(w =>
    {
        Soap.StartResponse(w, Name);
        WriteMessages(w, mailbox);
        w.WriteEndElement();
        w.WriteEndElement();
    });

    /// <summary>Every message answered with the same error (mailbox moving, ConcurrentSyncCalls busy).</summary>
    public byte[] RespondWithError(EwsError error) => Soap.Envelope(w =>
    {
        Soap.StartResponse(w, Name);
        for (var i = 0; i < MessageCount; i++)
        {
            ErrorMessage(w, error);
        }

        w.WriteEndElement();
        w.WriteEndElement();
    });

    protected abstract void WriteMessages(XmlWriter w, int mailbox);

    /// <summary>Writes one error response message including the elements this operation's message type requires.</summary>
    protected void ErrorMessage(XmlWriter w, EwsError error)
    {
        Services.Metrics.Error(error.Code);
        Soap.StartMessage(w, Name + "ResponseMessage", error);
        WriteErrorTail(w);
        w.WriteEndElement();
    }

    protected virtual void WriteErrorTail(XmlWriter w)
    {
    }

    protected static XElement Required(XElement parent, XName name) =>
        parent.Element(name) ?? throw new EwsFaultException(EwsError.SchemaValidation($"The element '{parent.Name.LocalName}' is missing its required child '{name.LocalName}'."));

    /// <summary>
    /// A FolderId or DistinguishedFolderId as a folder index of <paramref name="mailbox"/>, or the error to answer with.
    /// Distinguished folders the simulator does not model (tasks, notes, ...) are answered ErrorFolderNotFound.
    /// </summary>
    protected (int Index, EwsError? Error) ResolveFolder(XElement id, int mailbox)
    {
        if (id.Name == T + "DistinguishedFolderId")
        {
            var name = (string?)id.Attribute("Id") ?? "";
            var other = (string?)id.Element(T + "Mailbox")?.Element(T + "EmailAddress");
            if (other is not null && Services.Store.Directory.Find(other)?.Index != mailbox)
            {
                return (0, EwsError.AccessDenied);
            }

            return s_distinguished.TryGetValue(name, out var index) ? (index, null) : (0, EwsError.FolderNotFound);
        }

        if (id.Name == T + "FolderId")
        {
            if (!Services.Ids.TryParseFolderId((string?)id.Attribute("Id"), out var owner, out var index))
            {
                return (0, EwsError.IdMalformed);
            }

            return owner == mailbox ? (index, null) : (0, EwsError.FolderNotFound);
        }

        return (0, EwsError.InvalidRequest($"'{id.Name.LocalName}' is not supported as a folder id by the simulator."));
    }

    protected static int ParseInt(XElement element, int min, int max)
    {
        if (!int.TryParse(element.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new EwsFaultException(EwsError.SchemaValidation(
                $"The '{element.Name.LocalName}' element is invalid - The value '{element.Value}' is invalid according to its datatype - The value must be between {min} and {max}."));
        }

        return value;
    }
}
