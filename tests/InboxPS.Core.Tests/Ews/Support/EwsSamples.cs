using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>Microsoft's (and two third-party) EWS messages from ../shared/ews-samples, read per its MANIFEST.md.</summary>
internal static class EwsSamples
{
    public const string HttpsSoapNamespace = "https://schemas.xmlsoap.org/soap/envelope/";

    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(SharedMaterial.Path("ews-samples"), "*.xml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>The message: line 1 is a provenance comment, which XML forbids before a declaration, so it goes.</summary>
    public static string Read(string file)
    {
        var text = File.ReadAllText(SharedMaterial.Path("ews-samples", file));
        if (!text.StartsWith("<!--", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: line 1 is not the provenance comment MANIFEST.md describes.");
        }

        return text[(text.IndexOf('\n') + 1)..];
    }

    /// <summary>
    /// The sample with the documented doc error corrected (the SOAP prefix bound to https:// instead of http://), and
    /// nothing else: to check that the rest of a how-to sample reads as it should.
    /// </summary>
    public static string ReadWithSoapNamespaceCorrected(string file)
    {
        var text = Read(file);
        return text.Contains(HttpsSoapNamespace, StringComparison.Ordinal)
            ? text.Replace(HttpsSoapNamespace, Soap.SoapNs, StringComparison.Ordinal)
            : throw new InvalidDataException($"{file} does not have the https SOAP namespace error.");
    }
}
