using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>The official EWS schema from ../shared (types.xsd + messages.xsd), compiled once, and a validator for the
/// parts of a SOAP request it defines: each header element and the operation element in the body.</summary>
internal static class EwsSchema
{
    private static readonly Lazy<XmlSchemaSet> s_schemas = new(Load);

    public static XmlSchemaSet Schemas => s_schemas.Value;

    /// <summary>Every validation error and warning; a part the schema does not declare is reported too, so an empty list
    /// means the parts really were validated.</summary>
    public static IReadOnlyList<string> Validate(string soapEnvelope)
    {
        var envelope = XDocument.Parse(soapEnvelope).Root!;
        var parts = envelope.Elements().Where(e => e.Name.LocalName is "Header" or "Body").SelectMany(e => e.Elements()).ToList();
        var problems = new List<string>();
        if (!parts.Any(p => p.Parent!.Name.LocalName == "Body"))
        {
            problems.Add("The envelope has no body element.");
        }

        foreach (var part in parts)
        {
            var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schemas };
            settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
            settings.ValidationEventHandler += (_, e) => problems.Add($"{part.Name.LocalName}: {e.Severity}: {e.Message}");
            using var reader = XmlReader.Create(new XDocument(new XElement(part)).CreateReader(), settings);
            while (reader.Read())
            {
            }
        }

        return problems;
    }

    /// <summary>The enumeration values of a simple type in types.xsd or messages.xsd.</summary>
    public static IReadOnlyList<string> Enumeration(string file, string simpleTypeName)
    {
        XNamespace xs = "http://www.w3.org/2001/XMLSchema";
        return XDocument.Load(SharedMaterial.Path("ews-schema", file)).Descendants(xs + "simpleType")
            .Single(t => (string?)t.Attribute("name") == simpleTypeName)
            .Descendants(xs + "enumeration").Select(e => (string)e.Attribute("value")!).ToList();
    }

    private static XmlSchemaSet Load()
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        foreach (var file in new[] { "types.xsd", "messages.xsd" })
        {
            using var reader = XmlReader.Create(SharedMaterial.Path("ews-schema", file));
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }
}
