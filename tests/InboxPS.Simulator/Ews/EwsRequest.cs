using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;

namespace InboxPS.Simulator.Ews;

/// <summary>Thrown for a request Exchange would refuse outright (HTTP 500 + SOAP fault).</summary>
internal sealed class EwsFaultException : Exception
{
    public EwsFaultException(EwsError error)
        : base(error.Message)
    {
        Error = error;
    }

    public EwsError Error { get; }
}

/// <summary>How ConnectingSID names the mailbox to act on.</summary>
internal sealed record ConnectingSid(string Kind, string Value);

/// <summary>
/// A parsed SOAP request: the operation element, the impersonation header and the requested schema version. Parsing
/// refuses DTDs and external entities and bounds the size; structure errors become ErrorSchemaValidation faults.
/// </summary>
internal sealed class EwsRequest
{
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly XNamespace s_soap = Soap.SoapNs;
    private static readonly XNamespace s_t = Soap.TypesNs;
    private static readonly XNamespace s_m = Soap.MessagesNs;

    private static readonly XmlReaderSettings s_settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBytes,
        IgnoreComments = true,
    };

    private EwsRequest(XElement operation, IReadOnlyList<XElement> headerElements, ConnectingSid? impersonation, bool hasImpersonationHeader)
    {
        Operation = operation;
        HeaderElements = headerElements;
        Impersonation = impersonation;
        HasImpersonationHeader = hasImpersonationHeader;
    }

    public XElement Operation { get; }

    public string Name => Operation.Name.LocalName;

    /// <summary>The SOAP header's elements (RequestServerVersion, ExchangeImpersonation, ...).</summary>
    public IReadOnlyList<XElement> HeaderElements { get; }

    /// <summary>Null with <see cref="HasImpersonationHeader"/> set means the header was there but unusable.</summary>
    public ConnectingSid? Impersonation { get; }

    public bool HasImpersonationHeader { get; }

    public static EwsRequest Parse(Stream body)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(body, s_settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new EwsFaultException(EwsError.SchemaValidation("The request is not well-formed XML: " + e.Message));
        }

        var envelope = document.Root;
        if (envelope is null || envelope.Name != s_soap + "Envelope")
        {
            throw new EwsFaultException(EwsError.SchemaValidation(
                $"The root element must be Envelope in namespace '{Soap.SoapNs}' (SOAP 1.1); found '{envelope?.Name}'."));
        }

        var operation = envelope.Element(s_soap + "Body")?.Elements().FirstOrDefault();
        if (operation is null || operation.Name.Namespace != s_m)
        {
            throw new EwsFaultException(EwsError.SchemaValidation("The SOAP Body must contain one operation element in the messages namespace."));
        }

        var header = envelope.Element(s_soap + "Header");
        var version = header?.Element(s_t + "RequestServerVersion");
        if (version is not null && string.IsNullOrWhiteSpace((string?)version.Attribute("Version")))
        {
            throw new EwsFaultException(EwsError.SchemaValidation("The required attribute 'Version' is missing from RequestServerVersion."));
        }

        var impersonation = header?.Element(s_t + "ExchangeImpersonation");
        var headerElements = header?.Elements().ToList() ?? new List<XElement>();
        return new EwsRequest(operation, headerElements, ParseConnectingSid(impersonation), impersonation is not null);
    }

    private static ConnectingSid? ParseConnectingSid(XElement? impersonation)
    {
        var ids = impersonation?.Element(s_t + "ConnectingSID")?.Elements().ToList();
        if (ids is not { Count: 1 } || ids[0].Name.Namespace != s_t || string.IsNullOrWhiteSpace(ids[0].Value))
        {
            return null;
        }

        var kind = ids[0].Name.LocalName;
        return kind is "PrincipalName" or "SID" or "PrimarySmtpAddress" or "SmtpAddress" ? new ConnectingSid(kind, ids[0].Value.Trim()) : null;
    }
}
