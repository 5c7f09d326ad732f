using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>Validates EWS answers against Microsoft's types.xsd and messages.xsd from ../shared/ews-schema.</summary>
public static class SchemaValidator
{
    private static readonly Lazy<XmlSchemaSet> s_schemas = new(Load);

    /// <summary>
    /// Validates the operation response inside the SOAP body and the ServerVersionInfo header (the SOAP envelope itself
    /// has no schema in ../shared). Returns every validation error; empty means valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(EwsAnswer answer)
    {
        var errors = new List<string>();
        var header = answer.Xml.Descendants(EwsClient.T + "ServerVersionInfo").SingleOrDefault();
        if (header is null)
        {
            errors.Add("No t:ServerVersionInfo in the SOAP header.");
        }
        else
        {
            ValidateElement(header, errors);
        }

        var body = answer.Xml.Root?.Element(EwsClient.S + "Body")?.Elements().SingleOrDefault();
        if (body is null)
        {
            errors.Add("The SOAP body does not hold exactly one element.");
        }
        else
        {
            ValidateElement(body, errors);
        }

        return errors;
    }

    private static void ValidateElement(XElement element, List<string> errors)
    {
        var document = new XDocument(new XElement(element));
        document.Validate(s_schemas.Value, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
    }

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = new XmlUrlResolver() };
        using (var reader = XmlReader.Create(SharedMaterial.Path("ews-schema", "messages.xsd"), settings))
        {
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }
}
