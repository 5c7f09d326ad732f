using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Xml;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// Writes SOAP 1.1 envelopes the way Exchange does: s/m/t prefixes, ServerVersionInfo in the header (Exchange Online
/// 15.20, V2018_01_08), faults with the errors namespace for ResponseCode/Message and the types namespace for MessageXml.
/// Everything streams through one XmlWriter into a buffer; nothing is built as strings.
/// </summary>
internal static class Soap
{
    public const string SoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string TypesNs = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string MessagesNs = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string ErrorsNs = "http://schemas.microsoft.com/exchange/services/2006/errors";
    public const string XsiNs = "http://www.w3.org/2001/XMLSchema-instance";
    public const string XsdNs = "http://www.w3.org/2001/XMLSchema";

    private static readonly XmlWriterSettings s_settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        CloseOutput = false,
    };

    /// <summary>A full response envelope; <paramref name="writeBody"/> writes the operation's response element.</summary>
    public static byte[] Envelope(Action<XmlWriter> writeBody) => Write(w =>
    {
        w.WriteStartElement("s", "Envelope", SoapNs);
        w.WriteStartElement("s", "Header", SoapNs);
        w.WriteStartElement("h", "ServerVersionInfo", TypesNs);
        w.WriteAttributeString("MajorVersion", "15");
        w.WriteAttributeString("MinorVersion", "20");
        w.WriteAttributeString("MajorBuildNumber", "8769");
        w.WriteAttributeString("MinorBuildNumber", "35");
        w.WriteAttributeString("Version", "V2018_01_08");
        w.WriteAttributeString("xmlns", "xsd", null, XsdNs);
        w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("s", "Body", SoapNs);
        w.WriteAttributeString("xmlns", "xsi", null, XsiNs);
        w.WriteAttributeString("xmlns", "xsd", null, XsdNs);
        writeBody(w);
        w.WriteEndElement();
        w.WriteEndElement();
    });

    /// <summary>A SOAP fault (sent with HTTP 500), e.g. ErrorServerBusy with BackOffMilliseconds.</summary>
    public static byte[] Fault(string code, string message, IReadOnlyList<KeyValuePair<string, string>>? messageXml = null) => Write(w =>
    {
        w.WriteStartElement("s", "Envelope", SoapNs);
        w.WriteStartElement("s", "Body", SoapNs);
        w.WriteStartElement("s", "Fault", SoapNs);
        w.WriteStartElement("faultcode");
        w.WriteAttributeString("xmlns", "a", null, TypesNs);
        w.WriteString("a:" + code);
        w.WriteEndElement();
        w.WriteStartElement("faultstring");
        w.WriteAttributeString("xml", "lang", null, "en-US");
        w.WriteString(message);
        w.WriteEndElement();
        w.WriteStartElement("detail");
        w.WriteElementString("e", "ResponseCode", ErrorsNs, code);
        w.WriteElementString("e", "Message", ErrorsNs, message);
        if (messageXml is { Count: > 0 })
        {
            w.WriteStartElement("t", "MessageXml", TypesNs);
            WriteValues(w, messageXml);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    });

    /// <summary>
    /// Opens a *ResponseMessage and writes its common part. Success: ResponseCode NoError. Error: MessageText,
    /// ResponseCode, DescriptiveLinkKey 0 and MessageXml when given. The caller writes the rest and closes it.
    /// </summary>
    public static void StartMessage(XmlWriter w, string element, EwsError? error)
    {
        w.WriteStartElement("m", element, MessagesNs);
        if (error is null)
        {
            w.WriteAttributeString("ResponseClass", "Success");
            w.WriteElementString("m", "ResponseCode", MessagesNs, "NoError");
            return;
        }

        w.WriteAttributeString("ResponseClass", "Error");
        w.WriteElementString("m", "MessageText", MessagesNs, error.Message);
        w.WriteElementString("m", "ResponseCode", MessagesNs, error.Code);
        w.WriteElementString("m", "DescriptiveLinkKey", MessagesNs, "0");
        if (error.MessageXml is { Count: > 0 })
        {
            w.WriteStartElement("m", "MessageXml", MessagesNs);
            WriteValues(w, error.MessageXml);
            w.WriteEndElement();
        }
    }

    /// <summary>Opens the operation's response element and its ResponseMessages list.</summary>
    public static void StartResponse(XmlWriter w, string operation)
    {
        w.WriteStartElement("m", operation + "Response", MessagesNs);
        w.WriteAttributeString("xmlns", "m", null, MessagesNs);
        w.WriteAttributeString("xmlns", "t", null, TypesNs);
        w.WriteStartElement("m", "ResponseMessages", MessagesNs);
    }

    public static string Time(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    private static void WriteValues(XmlWriter w, IReadOnlyList<KeyValuePair<string, string>> values)
    {
        foreach (var (name, value) in values)
        {
            w.WriteStartElement("t", "Value", TypesNs);
            w.WriteAttributeString("Name", name);
            w.WriteString(value);
            w.WriteEndElement();
        }
    }

    private static byte[] Write(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream(4096);
        using (var writer = XmlWriter.Create(buffer, s_settings))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }
}

/// <summary>An EWS error: response code, the message Exchange sends with it, and MessageXml values when it has some.</summary>
internal sealed record EwsError(string Code, string Message, IReadOnlyList<KeyValuePair<string, string>>? MessageXml = null)
{
    public static readonly EwsError ItemNotFound = new("ErrorItemNotFound", "The specified object was not found in the store.");
    public static readonly EwsError IdMalformed = new("ErrorInvalidIdMalformed", "Id is malformed.");
    public static readonly EwsError FolderNotFound = new("ErrorFolderNotFound", "The specified folder could not be found in the store.");
    public static readonly EwsError SyncFolderNotFound = new("ErrorSyncFolderNotFound", "The specified folder could not be found in the store.");
    public static readonly EwsError InvalidSyncState = new("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid.");
    public static readonly EwsError MoveInProgress = new("ErrorMailboxMoveInProgress", "Mailbox move in progress. Try again later.");
    public static readonly EwsError NoResults = new("ErrorNameResolutionNoResults", "No results were found.");
    public static readonly EwsError MailboxStoreUnavailable = new("ErrorMailboxStoreUnavailable", "The mailbox database is temporarily unavailable.");
    public static readonly EwsError TimeoutExpired = new("ErrorTimeoutExpired", "The operation timed out on the server.");
    public static readonly EwsError InternalServerError = new("ErrorInternalServerError", "An internal server error occurred. The operation failed.");
    public static readonly EwsError ImpersonateUserDenied = new("ErrorImpersonateUserDenied", "The account does not have permission to impersonate the requested user.");
    public static readonly EwsError AccessDenied = new("ErrorAccessDenied", "Access is denied. Check credentials and try again.");

    public static readonly EwsError ImpersonationHeaderRequired = new("ErrorInvalidExchangeImpersonationHeaderData",
        "ExchangeImpersonation SOAP header must be present for this type of OAuth token.");

    public static readonly EwsError ImpersonationHeaderInvalid = new("ErrorInvalidExchangeImpersonationHeaderData",
        "The impersonation header is invalid: ConnectingSID must name the user by exactly one of PrincipalName, SID, PrimarySmtpAddress or SmtpAddress.");

    public static EwsError NonExistentMailbox(string address) =>
        new("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.", new[] { Pair("SmtpAddress", address) });

    public static EwsError ServerBusy(long backOffMs, string? policy = null, int limit = 0) => new(
        "ErrorServerBusy",
        "The server cannot service this request right now. Try again later." + (policy is null ? "" :
            $", This operation exceeds the throttling budget for policy part '{policy}', policy value '{limit}',  Budget type: 'Ews'.  Suggested backoff time {backOffMs} ms."),
        new[] { Pair("BackOffMilliseconds", backOffMs.ToString(CultureInfo.InvariantCulture)) });

    public static EwsError ExceededConnectionCount(int limit) => new(
        "ErrorExceededConnectionCount",
        "You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed.",
        new[]
        {
            Pair("Policy", "MaxConcurrency"),
            Pair("MaxConcurrencyLimit", limit.ToString(CultureInfo.InvariantCulture)),
            Pair("ErrorMessage", $"This operation exceeds the throttling budget for policy part 'MaxConcurrency', policy value '{limit}',  Budget type: 'Ews'.  Suggested backoff time 0 ms."),
        });

    public static EwsError SchemaValidation(string detail) => new("ErrorSchemaValidation", "The request failed schema validation: " + detail);

    public static EwsError InvalidRequest(string detail) => new("ErrorInvalidRequest", "The request is invalid. " + detail);

    private static KeyValuePair<string, string> Pair(string name, string value) => new(name, value);
}
