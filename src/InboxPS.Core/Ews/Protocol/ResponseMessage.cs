using System.Collections.Generic;

namespace InboxPS.Core.Ews.Protocol;

internal enum ResponseClass
{
    Success,
    Warning,
    Error,
}

/// <summary>The parts every EWS response message shares (ResponseMessageType), whatever the operation.</summary>
internal sealed class ResponseMessage
{
    public ResponseMessage(ResponseClass responseClass, string? responseCode, string? messageText, IReadOnlyDictionary<string, string>? messageXml)
    {
        Class = responseClass;
        ResponseCode = responseCode;
        MessageText = messageText;
        MessageXml = messageXml;
    }

    public ResponseClass Class { get; }
    public string? ResponseCode { get; }
    public string? MessageText { get; }
    public IReadOnlyDictionary<string, string>? MessageXml { get; }

    /// <summary>The message as an error; only meaningful when <see cref="Class"/> is Error.</summary>
    public EwsException ToException(ResponseContext context) =>
        EwsErrors.FromResponseCode(ResponseCode ?? "ErrorUnspecified", MessageText, MessageXml, context);
}

/// <summary>
/// What one operation reads from its response messages: the elements beyond the shared ones, and what a message's
/// outcome means (most operations throw on Error; GetItem keeps per-item errors).
/// </summary>
internal abstract class ResponseMessageHandler<T>
{
    /// <summary>Reads (or skips) one operation-specific child of a response message; must move past the element.</summary>
    public abstract System.Threading.Tasks.Task ReadElementAsync(EwsXmlReader reader);

    /// <summary>Called after each response message, with its shared parts.</summary>
    public abstract void CompleteMessage(ResponseMessage message, EwsXmlReader reader);

    /// <summary>The result once the body is read; throws when the messages did not make one.</summary>
    public abstract T GetResult(EwsXmlReader reader);
}
