using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews.Operations;

/// <summary>
/// ResolveNames against the directory: an exact address, UPN or alias resolves to one mailbox; otherwise users whose
/// address or display name starts with the text (at most 100, like Exchange).
/// </summary>
internal sealed class ResolveNamesOperation : EwsOperation
{
    private const int MaxResults = 100;
    private readonly string _entry;

    public ResolveNamesOperation(XElement body, EwsServices services)
        : base(services)
    {
        _entry = Required(body, M + "UnresolvedEntry").Value.Trim();
        if (_entry.Length == 0)
        {
            throw new EwsFaultException(EwsError.SchemaValidation("UnresolvedEntry must not be empty."));
        }
    }

    public override string Name => "ResolveNames";

    protected override void WriteMessages(XmlWriter w, int mailbox)
    {
        var matches = Find();
        if (matches.Count == 0)
        {
            ErrorMessage(w, EwsError.NoResults);
            return;
        }

        if (matches.Count == 1)
        {
            Soap.StartMessage(w, "ResolveNamesResponseMessage", null);
        }
        else
        {
            // Several candidates: Exchange answers Warning / ErrorNameResolutionMultipleResults with the list.
            w.WriteStartElement("m", "ResolveNamesResponseMessage", Soap.MessagesNs);
            w.WriteAttributeString("ResponseClass", "Warning");
            w.WriteElementString("m", "MessageText", Soap.MessagesNs, "Multiple results were found.");
            w.WriteElementString("m", "ResponseCode", Soap.MessagesNs, "ErrorNameResolutionMultipleResults");
            w.WriteElementString("m", "DescriptiveLinkKey", Soap.MessagesNs, "0");
        }

        w.WriteStartElement("m", "ResolutionSet", Soap.MessagesNs);
        w.WriteAttributeString("TotalItemsInView", matches.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("IncludesLastItemInRange", "true");
        foreach (var user in matches)
        {
            w.WriteStartElement("t", "Resolution", Soap.TypesNs);
            EwsWriters.Mailbox(w, new Recipient(user.DisplayName, user.PrimarySmtp));
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    private List<DirectoryUser> Find()
    {
        var directory = Services.Store.Directory;
        var text = _entry.StartsWith("smtp:", StringComparison.OrdinalIgnoreCase) ? _entry[5..] : _entry;
        if (directory.Find(text) is { } exact)
        {
            return new List<DirectoryUser> { exact };
        }

        return Enumerable.Range(1, directory.LastIndex)
            .Select(directory.Get)
            .Where(u => u.PrimarySmtp.StartsWith(text, StringComparison.OrdinalIgnoreCase) || u.DisplayName.StartsWith(text, StringComparison.OrdinalIgnoreCase))
            .Take(MaxResults)
            .ToList();
    }
}
