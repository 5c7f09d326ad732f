using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// A forward-only, async reader over one response, hardened for hostile input (no DTD, no resolver) and with the few
/// helpers the EWS readers need. Element loops use <see cref="NextChildAsync"/>; every handler either reads an element
/// whole or skips it.
/// </summary>
internal sealed class EwsXmlReader : IDisposable
{
    private const int MaxQuotedValue = 40;

    private readonly XmlReader _reader;

    private EwsXmlReader(XmlReader reader, EwsNames names, ResponseContext context)
    {
        _reader = reader;
        Names = names;
        Context = context;
    }

    public EwsNames Names { get; }
    public ResponseContext Context { get; }
    public string LocalName => _reader.LocalName;
    public string NamespaceURI => _reader.NamespaceURI;
    public int Depth => _reader.Depth;

    public static EwsXmlReader Create(Stream body, EwsNames names, ResponseContext context)
    {
        var settings = new XmlReaderSettings
        {
            Async = true,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreWhitespace = true,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            NameTable = names.Table,
            CloseInput = false,
        };
        return new EwsXmlReader(XmlReader.Create(body, settings), names, context);
    }

    /// <summary>Whether the current element has this (atomized) local name.</summary>
    public bool Is(string atom) => ReferenceEquals(_reader.LocalName, atom);

    public string? GetAttribute(string atom) => _reader.GetAttribute(atom);

    /// <summary>Moves to the document element.</summary>
    public async Task MoveToRootAsync()
    {
        if (await _reader.MoveToContentAsync().ConfigureAwait(false) != XmlNodeType.Element)
        {
            throw Invalid("the body holds no XML element");
        }
    }

    /// <summary>
    /// Moves to the next child element of the element at <paramref name="parentDepth"/> (true), or past that element's
    /// end (false). Text between child elements (which the schema does not allow) is stepped over.
    /// </summary>
    public async Task<bool> NextChildAsync(int parentDepth)
    {
        while (true)
        {
            var depth = _reader.Depth;
            switch (_reader.NodeType)
            {
                case XmlNodeType.Element when depth == parentDepth + 1:
                    return true;
                case XmlNodeType.Element when depth == parentDepth && _reader.IsEmptyElement:
                case XmlNodeType.EndElement when depth == parentDepth:
                    await _reader.ReadAsync().ConfigureAwait(false);
                    return false;
                case XmlNodeType.None:
                    throw new XmlException("Unexpected end of the document.");
            }

            // At the end of the input the reader reports None, which the switch turns into an error.
            await _reader.ReadAsync().ConfigureAwait(false);
        }
    }

    public Task SkipAsync() => _reader.SkipAsync();

    public Task<string> ReadStringAsync() => _reader.ReadElementContentAsStringAsync();

    /// <summary>The element's text with nested elements ignored (MessageXml values are xs:any, so anything may come).</summary>
    public async Task<string> ReadTextAsync()
    {
        var depth = _reader.Depth;
        if (_reader.IsEmptyElement)
        {
            await _reader.ReadAsync().ConfigureAwait(false);
            return string.Empty;
        }

        string? first = null;
        StringBuilder? more = null;
        while (await _reader.ReadAsync().ConfigureAwait(false))
        {
            if (_reader.NodeType == XmlNodeType.EndElement && _reader.Depth == depth)
            {
                await _reader.ReadAsync().ConfigureAwait(false);
                return more?.ToString() ?? first ?? string.Empty;
            }

            if (_reader.Depth == depth + 1 && _reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace)
            {
                if (first is null)
                {
                    first = _reader.Value;
                }
                else
                {
                    (more ??= new StringBuilder(first)).Append(_reader.Value);
                }
            }
        }

        throw new XmlException("Unexpected end of the document.");
    }

    public async Task<int> ReadIntAsync()
    {
        var name = _reader.LocalName;
        var text = await ReadStringAsync().ConfigureAwait(false);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"<{name}> holds '{Quote(text)}', not a whole number");
    }

    public async Task<bool> ReadBoolAsync()
    {
        var name = _reader.LocalName;
        var text = await ReadStringAsync().ConfigureAwait(false);
        switch (text.Trim())
        {
            case "true" or "1":
                return true;
            case "false" or "0":
                return false;
            default:
                throw Invalid($"<{name}> holds '{Quote(text)}', not true or false");
        }
    }

    public async Task<DateTimeOffset> ReadDateTimeAsync()
    {
        var name = _reader.LocalName;
        var text = await ReadStringAsync().ConfigureAwait(false);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw Invalid($"<{name}> holds '{Quote(text)}', not a date and time");
    }

    /// <summary>Decodes base64 content in chunks, without building the base64 text as a string first.</summary>
    public async Task<byte[]> ReadBase64Async()
    {
        var buffer = new byte[16 * 1024];
        using var bytes = new MemoryStream();
        int read;
        while ((read = await _reader.ReadElementContentAsBase64Async(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
        {
            bytes.Write(buffer, 0, read);
        }

        return bytes.ToArray();
    }

    /// <summary>An error for a response that is well-formed XML but not a usable EWS answer.</summary>
    public EwsException Invalid(string problem) => EwsErrors.InvalidResponse(problem, Context);

    public void Dispose() => ((IDisposable)_reader).Dispose();

    private static string Quote(string text) => text.Length <= MaxQuotedValue ? text : text.Substring(0, MaxQuotedValue) + "...";
}
