using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// Reads a SOAP 1.1 response: the envelope, the ServerVersionInfo header (loosely), then either a SOAP fault (thrown as
/// an <see cref="EwsException"/>) or the operation's response messages, handed to the operation's handler.
/// Malformed XML surfaces as XmlException; the transport turns it into EwsInvalidResponse.
/// </summary>
internal static class SoapEnvelopeReader
{
    private const string HttpsSoapNamespace = "https://schemas.xmlsoap.org/soap/envelope/";

    /// <param name="inMemory">The body is all in memory: it is read synchronously (see <see cref="EwsXmlReader"/>).</param>
    public static async Task<T> ReadAsync<T>(Stream body, string operation, ResponseMessageHandler<T> handler, ResponseContext context,
        bool inMemory = false)
    {
        using var reader = EwsXmlReader.Create(body, new EwsNames(operation), context, inMemory);
        var names = reader.Names;
        await reader.MoveToRootAsync().ConfigureAwait(false);
        if (!reader.Is(names.Envelope))
        {
            throw reader.Invalid($"the document is <{reader.LocalName}>, not a SOAP envelope");
        }

        if (!ReferenceEquals(reader.NamespaceURI, names.SoapNamespace))
        {
            throw reader.Invalid(reader.NamespaceURI == HttpsSoapNamespace
                ? $"the SOAP envelope is in namespace '{HttpsSoapNamespace}' instead of SOAP 1.1's '{EwsNamespaces.Soap}' (a typo found in Microsoft's documentation samples; Exchange does not send it)"
                : $"the SOAP envelope is in namespace '{reader.NamespaceURI}', not SOAP 1.1's '{EwsNamespaces.Soap}'");
        }

        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(names.Header))
            {
                await ReadHeaderAsync(reader).ConfigureAwait(false);
            }
            else if (reader.Is(names.Body))
            {
                return await ReadBodyAsync(reader, handler).ConfigureAwait(false);
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        throw reader.Invalid("the SOAP envelope has no Body");
    }

    private static async Task ReadHeaderAsync(EwsXmlReader reader)
    {
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(reader.Names.ServerVersionInfo))
            {
                reader.Context.ServerVersion = ReadServerVersion(reader);
            }

            await reader.SkipAsync().ConfigureAwait(false);
        }
    }

    // Every attribute is optional and read leniently: a value that is not a number is left out, not an error.
    private static EwsServerVersion ReadServerVersion(EwsXmlReader reader)
    {
        var names = reader.Names;
        return new EwsServerVersion(Number(names.MajorVersion), Number(names.MinorVersion), Number(names.MajorBuildNumber),
            Number(names.MinorBuildNumber), reader.GetAttribute(names.Version)?.Trim());

        int? Number(string attribute) =>
            int.TryParse(reader.GetAttribute(attribute), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static async Task<T> ReadBodyAsync<T>(EwsXmlReader reader, ResponseMessageHandler<T> handler)
    {
        var names = reader.Names;
        if (!await reader.NextChildAsync(reader.Depth).ConfigureAwait(false))
        {
            throw reader.Invalid("the SOAP body is empty");
        }

        if (reader.Is(names.Fault))
        {
            throw await ReadFaultAsync(reader).ConfigureAwait(false);
        }

        if (!reader.Is(names.Response))
        {
            throw reader.Invalid($"the SOAP body holds <{reader.LocalName}>, not <{names.Response}>");
        }

        // Most operations wrap their messages in ResponseMessages; a few newer ones are themselves the message.
        if (reader.GetAttribute(names.ResponseClass) is not null)
        {
            await ReadMessageAsync(reader, handler).ConfigureAwait(false);
            return handler.GetResult(reader);
        }

        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (!reader.Is(names.ResponseMessages))
            {
                await reader.SkipAsync().ConfigureAwait(false);
                continue;
            }

            var messagesDepth = reader.Depth;
            while (await reader.NextChildAsync(messagesDepth).ConfigureAwait(false))
            {
                if (reader.Is(names.ResponseMessage))
                {
                    await ReadMessageAsync(reader, handler).ConfigureAwait(false);
                }
                else
                {
                    await reader.SkipAsync().ConfigureAwait(false);
                }
            }
        }

        return handler.GetResult(reader);
    }

    private static async Task ReadMessageAsync<T>(EwsXmlReader reader, ResponseMessageHandler<T> handler)
    {
        var names = reader.Names;
        var responseClass = reader.GetAttribute(names.ResponseClass) switch
        {
            "Success" => ResponseClass.Success,
            "Warning" => ResponseClass.Warning,
            "Error" => ResponseClass.Error,
            var other => throw reader.Invalid($"<{reader.LocalName}> has ResponseClass '{other}', not Success, Warning or Error"),
        };

        handler.BeginMessage(responseClass);
        string? code = null;
        string? text = null;
        IReadOnlyDictionary<string, string>? messageXml = null;
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(names.ResponseCode))
            {
                code = (await reader.ReadStringAsync().ConfigureAwait(false)).Trim();
            }
            else if (reader.Is(names.MessageText))
            {
                text = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.MessageXml))
            {
                messageXml = await ReadMessageXmlAsync(reader).ConfigureAwait(false);
            }
            else if (reader.Is(names.DescriptiveLinkKey))
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else
            {
                await handler.ReadElementAsync(reader).ConfigureAwait(false);
            }
        }

        if (responseClass == ResponseClass.Error && string.IsNullOrEmpty(code))
        {
            throw reader.Invalid("a response message says Error but has no ResponseCode");
        }

        handler.CompleteMessage(new ResponseMessage(responseClass, code, text, messageXml), reader);
    }

    /// <summary>MessageXml is xs:any: values are keyed by their Name attribute (t:Value Name="BackOffMilliseconds"),
    /// other elements by their local name.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> ReadMessageXmlAsync(EwsXmlReader reader)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            var key = reader.GetAttribute(reader.Names.Name) ?? reader.LocalName;
            values[key] = (await reader.ReadTextAsync().ConfigureAwait(false)).Trim();
        }

        return values;
    }

    /// <summary>A SOAP fault: the EWS code is in detail/ResponseCode, or else the faultcode ("a:ErrorServerBusy").</summary>
    private static async Task<EwsException> ReadFaultAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        string? faultCode = null;
        string? faultString = null;
        string? detailCode = null;
        string? detailMessage = null;
        IReadOnlyDictionary<string, string>? messageXml = null;
        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(names.FaultCode))
            {
                faultCode = (await reader.ReadStringAsync().ConfigureAwait(false)).Trim();
            }
            else if (reader.Is(names.FaultString))
            {
                faultString = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.Detail))
            {
                var detailDepth = reader.Depth;
                while (await reader.NextChildAsync(detailDepth).ConfigureAwait(false))
                {
                    if (reader.Is(names.ResponseCode))
                    {
                        detailCode = (await reader.ReadTextAsync().ConfigureAwait(false)).Trim();
                    }
                    else if (reader.Is(names.Message))
                    {
                        detailMessage = (await reader.ReadTextAsync().ConfigureAwait(false)).Trim();
                    }
                    else if (reader.Is(names.MessageXml))
                    {
                        messageXml = await ReadMessageXmlAsync(reader).ConfigureAwait(false);
                    }
                    else
                    {
                        await reader.SkipAsync().ConfigureAwait(false);
                    }
                }
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        var code = !string.IsNullOrEmpty(detailCode) ? detailCode! : LocalPart(faultCode);
        if (string.IsNullOrEmpty(code))
        {
            throw reader.Invalid("the SOAP fault has no faultcode");
        }

        return EwsErrors.FromResponseCode(code!, detailMessage ?? faultString, messageXml, reader.Context);
    }

    private static string? LocalPart(string? qualifiedName)
    {
        var colon = qualifiedName?.IndexOf(':') ?? -1;
        return colon < 0 ? qualifiedName : qualifiedName!.Substring(colon + 1);
    }
}
