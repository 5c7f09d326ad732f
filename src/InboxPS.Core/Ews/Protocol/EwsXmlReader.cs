using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// A forward-only reader over one response, hardened for hostile input (no DTD, no resolver) and with the few helpers
/// the EWS readers need. Element loops use <see cref="NextChildAsync"/>; every handler either reads an element whole or
/// skips it. A body still arriving is read asynchronously; one already in memory synchronously, as the async XmlReader
/// allocates 192 KB of buffers per document (128 KB of it on the large-object heap, which only a full collection
/// frees), more than most EWS answers are long.
/// </summary>
internal sealed class EwsXmlReader : IDisposable
{
    private const int MaxQuotedValue = 40;

    private readonly XmlReader _reader;
    private readonly bool _async;

    private EwsXmlReader(XmlReader reader, bool async, EwsNames names, ResponseContext context)
    {
        _reader = reader;
        _async = async;
        Names = names;
        Context = context;
    }

    public EwsNames Names { get; }
    public ResponseContext Context { get; }
    public string LocalName => _reader.LocalName;
    public string NamespaceURI => _reader.NamespaceURI;
    public int Depth => _reader.Depth;

    /// <param name="inMemory">The body is all in memory already: it is read synchronously.</param>
    public static EwsXmlReader Create(Stream body, EwsNames names, ResponseContext context, bool inMemory = false)
    {
        var settings = new XmlReaderSettings
        {
            Async = !inMemory,
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreWhitespace = true,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            NameTable = names.Table,
            CloseInput = false,
        };
        return new EwsXmlReader(XmlReader.Create(body, settings), !inMemory, names, context);
    }

    /// <summary>Whether the current element has this (atomized) local name.</summary>
    public bool Is(string atom) => ReferenceEquals(_reader.LocalName, atom);

    public string? GetAttribute(string atom) => _reader.GetAttribute(atom);

    /// <summary>Moves to the document element.</summary>
    public async Task MoveToRootAsync()
    {
        if ((_async ? await _reader.MoveToContentAsync().ConfigureAwait(false) : _reader.MoveToContent()) != XmlNodeType.Element)
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
                    await ReadAsync().ConfigureAwait(false);
                    return false;
                case XmlNodeType.None:
                    throw new XmlException("Unexpected end of the document.");
            }

            // At the end of the input the reader reports None, which the switch turns into an error.
            await ReadAsync().ConfigureAwait(false);
        }
    }

    public Task SkipAsync()
    {
        if (_async)
        {
            return _reader.SkipAsync();
        }

        _reader.Skip();
        return Task.CompletedTask;
    }

    // ValueTask: on the in-memory path every value is read synchronously, where a Task per value was only garbage.
    public ValueTask<string> ReadStringAsync() =>
        _async ? new ValueTask<string>(_reader.ReadElementContentAsStringAsync()) : new ValueTask<string>(_reader.ReadElementContentAsString());

    /// <summary>The element's text with nested elements ignored (MessageXml values are xs:any, so anything may come).</summary>
    public async ValueTask<string> ReadTextAsync()
    {
        var depth = _reader.Depth;
        if (_reader.IsEmptyElement)
        {
            await ReadAsync().ConfigureAwait(false);
            return string.Empty;
        }

        string? first = null;
        StringBuilder? more = null;
        while (await ReadAsync().ConfigureAwait(false))
        {
            if (_reader.NodeType == XmlNodeType.EndElement && _reader.Depth == depth)
            {
                await ReadAsync().ConfigureAwait(false);
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

    public ValueTask<int> ReadIntAsync() => ReadValueAsync(
        (string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), "a whole number");

    public ValueTask<bool> ReadBoolAsync() => ReadValueAsync<bool>(TryParseBoolean, "true or false");

    public ValueTask<DateTimeOffset> ReadDateTimeAsync() => ReadValueAsync(
        (string text, out DateTimeOffset value) => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value),
        "a date and time");

    /// <summary>
    /// Reads the first child element with <paramref name="read"/> and skips any others: EWS wraps single values in
    /// containers (Folders, Items, From) whose first child is the one asked for. Null when the container is empty.
    /// </summary>
    public async ValueTask<T?> ReadFirstChildAsync<T>(Func<EwsXmlReader, ValueTask<T>> read)
        where T : class
    {
        T? first = null;
        var depth = _reader.Depth;
        while (await NextChildAsync(depth).ConfigureAwait(false))
        {
            if (first is null)
            {
                first = await read(this).ConfigureAwait(false);
            }
            else
            {
                await SkipAsync().ConfigureAwait(false);
            }
        }

        return first;
    }

    /// <summary>Decodes base64 content in chunks, without building the base64 text as a string first.</summary>
    public async Task<byte[]> ReadBase64Async()
    {
        var buffer = new byte[16 * 1024];
        using var bytes = new MemoryStream();
        int read;
        while ((read = _async
                   ? await _reader.ReadElementContentAsBase64Async(buffer, 0, buffer.Length).ConfigureAwait(false)
                   : _reader.ReadElementContentAsBase64(buffer, 0, buffer.Length)) > 0)
        {
            bytes.Write(buffer, 0, read);
        }

        return bytes.ToArray();
    }

    /// <summary>An error for a response that is well-formed XML but not a usable EWS answer.</summary>
    public EwsException Invalid(string problem) => EwsErrors.InvalidResponse(problem, Context);

    public void Dispose() => ((IDisposable)_reader).Dispose();

    private delegate bool TryParse<T>(string text, out T value);

    // Task.FromResult of a bool is a cached task: the synchronous read allocates nothing here.
    private Task<bool> ReadAsync() => _async ? _reader.ReadAsync() : Task.FromResult(_reader.Read());

    private async ValueTask<T> ReadValueAsync<T>(TryParse<T> parse, string expected)
    {
        var name = _reader.LocalName;
        var text = await ReadStringAsync().ConfigureAwait(false);
        return parse(text, out var value) ? value : throw Invalid($"<{name}> holds '{Quote(text)}', not {expected}");
    }

    // xs:boolean: true, false, 1 or 0, with surrounding whitespace allowed.
    private static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim())
        {
            case "true" or "1":
                value = true;
                return true;
            case "false" or "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static string Quote(string text) => text.Length <= MaxQuotedValue ? text : text.Substring(0, MaxQuotedValue) + "...";
}
