using System.Collections.Generic;

namespace InboxPS.Core.Ews.Protocol;

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
