using System;
using System.IO;
using System.Text;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// Writes a request envelope the way Microsoft's samples do (soap:, t:, m: prefixes) with the two headers every InboxPS
/// request carries: RequestServerVersion and ExchangeImpersonation. The result is a small byte array, built once per
/// call and re-sent as is on retries.
/// </summary>
internal static class SoapRequestWriter
{
    private static readonly XmlWriterSettings s_settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CloseOutput = false,
    };

    private static readonly string[] s_versionNames = Enum.GetNames(typeof(ExchangeServerVersion));

    public static byte[] Write(ExchangeServerVersion version, MailboxIdentity mailbox, Action<XmlWriter> writeBody)
    {
        using var buffer = new MemoryStream(1024);
        using (var writer = XmlWriter.Create(buffer, s_settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("soap", "Envelope", EwsNamespaces.Soap);
            writer.WriteAttributeString("xmlns", "t", null, EwsNamespaces.Types);
            writer.WriteAttributeString("xmlns", "m", null, EwsNamespaces.Messages);

            writer.WriteStartElement("soap", "Header", EwsNamespaces.Soap);
            writer.WriteStartElement("t", "RequestServerVersion", EwsNamespaces.Types);
            writer.WriteAttributeString("Version", s_versionNames[(int)version]);
            writer.WriteEndElement();
            writer.WriteStartElement("t", "ExchangeImpersonation", EwsNamespaces.Types);
            writer.WriteStartElement("t", "ConnectingSID", EwsNamespaces.Types);
            writer.WriteElementString("t", mailbox.Kind.ToString(), EwsNamespaces.Types, mailbox.Value);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();

            writer.WriteStartElement("soap", "Body", EwsNamespaces.Soap);
            writeBody(writer);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>&lt;t:BaseShape&gt;IdOnly&lt;/t:BaseShape&gt;: every shape starts from ids and names what it needs.</summary>
    public static void WriteIdOnlyBaseShape(XmlWriter writer) =>
        writer.WriteElementString("t", "BaseShape", EwsNamespaces.Types, "IdOnly");

    public static void WriteAdditionalProperties(XmlWriter writer, string[] fieldUris)
    {
        writer.WriteStartElement("t", "AdditionalProperties", EwsNamespaces.Types);
        foreach (var uri in fieldUris)
        {
            writer.WriteStartElement("t", "FieldURI", EwsNamespaces.Types);
            writer.WriteAttributeString("FieldURI", uri);
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }
}
