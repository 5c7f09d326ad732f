using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// Checks every EWS request against Microsoft's messages.xsd/types.xsd (the SOAP header's EWS elements and the
/// operation in the body), as Exchange does. On only when the schema folder is given (--ews-schema; the tests give
/// ../shared/ews-schema when it is beside the repository): the files are Microsoft's and are not in the repository.
/// A request that fails is still answered, but counted with its first error, so end-to-end runs assert InboxPS sent none.
/// </summary>
internal sealed class RequestSchemaCheck
{
    private readonly XmlSchemaSet _schemas;

    private RequestSchemaCheck(XmlSchemaSet schemas)
    {
        _schemas = schemas;
    }

    /// <exception cref="ArgumentException">The folder has no messages.xsd and types.xsd, or they do not compile.</exception>
    public static RequestSchemaCheck Load(string folder)
    {
        var messages = Path.Combine(folder, "messages.xsd");
        if (!File.Exists(messages) || !File.Exists(Path.Combine(folder, "types.xsd")))
        {
            throw new ArgumentException($"The EWS schema folder '{folder}' has no messages.xsd and types.xsd.");
        }

        // types.xsd is read through messages.xsd's import; nothing outside the folder is resolved.
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = new XmlUrlResolver() };
        using (var reader = XmlReader.Create(messages, settings))
        {
            set.Add(null, reader);
        }

        set.Compile();
        return new RequestSchemaCheck(set);
    }

    /// <summary>Every schema error of the request's EWS header elements and operation; empty when it is valid.</summary>
    public IReadOnlyList<string> Validate(EwsRequest request)
    {
        var errors = new List<string>();
        foreach (var element in request.HeaderElements.Append(request.Operation))
        {
            // Only EWS elements have a schema here; the SOAP envelope's own have none in the folder.
            if (_schemas.GlobalElements.Contains(new XmlQualifiedName(element.Name.LocalName, element.Name.NamespaceName)))
            {
                new XDocument(new XElement(element)).Validate(_schemas,
                    (_, e) => errors.Add($"{request.Name}, {element.Name.LocalName}: {e.Message}"));
            }
            else
            {
                errors.Add($"{request.Name}: the element {element.Name} is not declared in the EWS schema.");
            }
        }

        return errors;
    }
}
