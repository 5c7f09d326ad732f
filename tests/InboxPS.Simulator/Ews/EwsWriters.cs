using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews;

/// <summary>Writes t:Message, t:Folder (and kin), t:ItemId and t:FolderId elements in schema order.</summary>
internal sealed class EwsWriters
{
    private const string T = Soap.TypesNs;
    private readonly EwsIds _ids;

    public EwsWriters(EwsIds ids)
    {
        _ids = ids;
    }

    public void ItemId(XmlWriter w, ItemKey key, int version)
    {
        w.WriteStartElement("t", "ItemId", T);
        w.WriteAttributeString("Id", _ids.ItemId(key));
        w.WriteAttributeString("ChangeKey", _ids.ItemChangeKey(key, version));
        w.WriteEndElement();
    }

    public void FolderId(XmlWriter w, string element, int mailbox, int folder, int version)
    {
        w.WriteStartElement("t", element, T);
        w.WriteAttributeString("Id", _ids.FolderId(mailbox, folder));
        w.WriteAttributeString("ChangeKey", _ids.FolderChangeKey(folder, version));
        w.WriteEndElement();
    }

    public void Message(XmlWriter w, MessageData m, ItemProps props, int parentFolderVersion)
    {
        bool Has(ItemProps p) => (props & p) != 0;
        void Text(ItemProps p, string name, string value)
        {
            if (Has(p))
            {
                w.WriteElementString("t", name, T, value);
            }
        }

        w.WriteStartElement("t", "Message", T);
        if (Has(ItemProps.MimeContent))
        {
            w.WriteStartElement("t", "MimeContent", T);
            w.WriteAttributeString("CharacterSet", "UTF-8");
            var mime = MimeBuilder.Build(m);
            w.WriteBase64(mime, 0, mime.Length);
            w.WriteEndElement();
        }

        if (Has(ItemProps.ItemId))
        {
            ItemId(w, m.Key, m.Version);
        }

        if (Has(ItemProps.ParentFolderId))
        {
            FolderId(w, "ParentFolderId", m.Key.Mailbox, m.Key.Folder, parentFolderVersion);
        }

        Text(ItemProps.ItemClass, "ItemClass", "IPM.Note");
        Text(ItemProps.Subject, "Subject", m.Subject);
        Text(ItemProps.Sensitivity, "Sensitivity", "Normal");
        Text(ItemProps.DateTimeReceived, "DateTimeReceived", Soap.Time(m.Received));
        Text(ItemProps.Size, "Size", m.Size.ToString(CultureInfo.InvariantCulture));
        Text(ItemProps.Importance, "Importance", "Normal");
        Text(ItemProps.IsSubmitted, "IsSubmitted", Soap.Bool(false));
        Text(ItemProps.IsDraft, "IsDraft", Soap.Bool(m.IsDraft));
        Text(ItemProps.IsFromMe, "IsFromMe", Soap.Bool(m.IsFromMe));
        Text(ItemProps.IsResend, "IsResend", Soap.Bool(false));
        Text(ItemProps.IsUnmodified, "IsUnmodified", Soap.Bool(m.Version == 1));
        Text(ItemProps.DateTimeSent, "DateTimeSent", Soap.Time(m.Sent));
        Text(ItemProps.DateTimeCreated, "DateTimeCreated", Soap.Time(m.Received));
        Text(ItemProps.DisplayCc, "DisplayCc", string.Join("; ", m.Cc.Select(r => r.Name)));
        Text(ItemProps.DisplayTo, "DisplayTo", string.Join("; ", m.To.Select(r => r.Name)));
        Text(ItemProps.HasAttachments, "HasAttachments", Soap.Bool(m.HasAttachments));
        Text(ItemProps.Culture, "Culture", "en-US");
        Text(ItemProps.LastModifiedTime, "LastModifiedTime", Soap.Time(m.LastModified));
        Text(ItemProps.IsAssociated, "IsAssociated", Soap.Bool(false));
        if (Has(ItemProps.ConversationId))
        {
            w.WriteStartElement("t", "ConversationId", T);
            w.WriteAttributeString("Id", Convert.ToBase64String(m.ConversationId));
            w.WriteEndElement();
        }

        if (Has(ItemProps.Sender))
        {
            Single(w, "Sender", m.From);
        }

        if (Has(ItemProps.ToRecipients))
        {
            List(w, "ToRecipients", m.To);
        }

        if (Has(ItemProps.CcRecipients) && m.Cc.Count > 0)
        {
            List(w, "CcRecipients", m.Cc);
        }

        Text(ItemProps.ConversationTopic, "ConversationTopic", m.ConversationTopic);
        if (Has(ItemProps.From))
        {
            Single(w, "From", m.From);
        }

        Text(ItemProps.InternetMessageId, "InternetMessageId", m.InternetMessageId);
        Text(ItemProps.IsRead, "IsRead", Soap.Bool(m.IsRead));
        w.WriteEndElement();
    }

    public void Folder(XmlWriter w, FolderView f, FolderProps props)
    {
        bool Has(FolderProps p) => (props & p) != 0;
        var element = f.Kind switch
        {
            FolderKind.Calendar => "CalendarFolder",
            FolderKind.Contacts => "ContactsFolder",
            _ => "Folder",
        };
        w.WriteStartElement("t", element, T);
        if (Has(FolderProps.FolderId))
        {
            FolderId(w, "FolderId", f.Mailbox, f.Index, f.Version);
        }

        if (Has(FolderProps.ParentFolderId) && f.ParentIndex >= 0)
        {
            FolderId(w, "ParentFolderId", f.Mailbox, f.ParentIndex, 1);
        }

        if (Has(FolderProps.FolderClass) && f.FolderClass.Length > 0)
        {
            w.WriteElementString("t", "FolderClass", T, f.FolderClass);
        }

        if (Has(FolderProps.DisplayName))
        {
            w.WriteElementString("t", "DisplayName", T, f.DisplayName);
        }

        if (Has(FolderProps.TotalCount))
        {
            w.WriteElementString("t", "TotalCount", T, f.TotalCount.ToString(CultureInfo.InvariantCulture));
        }

        if (Has(FolderProps.ChildFolderCount))
        {
            w.WriteElementString("t", "ChildFolderCount", T, f.ChildFolderCount.ToString(CultureInfo.InvariantCulture));
        }

        if (Has(FolderProps.DistinguishedFolderId) && f.DistinguishedName is not null)
        {
            w.WriteElementString("t", "DistinguishedFolderId", T, f.DistinguishedName);
        }

        // UnreadCount belongs to FolderType only; calendar and contacts folders have none.
        if (Has(FolderProps.UnreadCount) && f.Kind == FolderKind.Mail)
        {
            w.WriteElementString("t", "UnreadCount", T, f.UnreadCount.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndElement();
    }

    private static void Single(XmlWriter w, string element, Recipient r)
    {
        w.WriteStartElement("t", element, T);
        Mailbox(w, r);
        w.WriteEndElement();
    }

    private static void List(XmlWriter w, string element, IReadOnlyList<Recipient> recipients)
    {
        w.WriteStartElement("t", element, T);
        foreach (var r in recipients)
        {
            Mailbox(w, r);
        }

        w.WriteEndElement();
    }

    public static void Mailbox(XmlWriter w, Recipient r)
    {
        w.WriteStartElement("t", "Mailbox", T);
        w.WriteElementString("t", "Name", T, r.Name);
        w.WriteElementString("t", "EmailAddress", T, r.Address);
        w.WriteElementString("t", "RoutingType", T, "SMTP");
        w.WriteElementString("t", "MailboxType", T, r.Address.EndsWith("@" + TenantDirectory.Domain, StringComparison.OrdinalIgnoreCase) ? "Mailbox" : "OneOff");
        w.WriteEndElement();
    }
}
