using System.Security;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>Builds EWS responses shaped as Exchange sends them (s:, m:, t: prefixes; response messages in ResponseMessages).</summary>
internal static class Soap
{
    public const string SoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string TypesNs = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string MessagesNs = "http://schemas.microsoft.com/exchange/services/2006/messages";

    public const string ServerVersion2016 =
        "<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"1\" MajorBuildNumber=\"2507\" MinorBuildNumber=\"57\" Version=\"V2017_07_11\" xmlns:h=\"" + TypesNs + "\"/>";

    public static string Envelope(string body, string? header = ServerVersion2016) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>" +
        $"<s:Envelope xmlns:s=\"{SoapNs}\">" +
        (header is null ? string.Empty : $"<s:Header>{header}</s:Header>") +
        $"<s:Body>{body}</s:Body></s:Envelope>";

    /// <summary>A whole response: envelope, the operation's response element, and its messages.</summary>
    public static string Response(string operation, params string[] messages) => Envelope(
        $"<m:{operation}Response xmlns:m=\"{MessagesNs}\" xmlns:t=\"{TypesNs}\"><m:ResponseMessages>" +
        string.Concat(messages) +
        $"</m:ResponseMessages></m:{operation}Response>");

    public static string Success(string operation, string content, string responseClass = "Success") =>
        $"<m:{operation}ResponseMessage ResponseClass=\"{responseClass}\"><m:ResponseCode>NoError</m:ResponseCode>{content}</m:{operation}ResponseMessage>";

    public static string Error(string operation, string code, string text = "Something failed.", string? messageXml = null, string content = "") =>
        $"<m:{operation}ResponseMessage ResponseClass=\"Error\"><m:MessageText>{Escape(text)}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode>" +
        "<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>" +
        (messageXml is null ? string.Empty : $"<m:MessageXml>{messageXml}</m:MessageXml>") +
        $"{content}</m:{operation}ResponseMessage>";

    public static string Value(string name, string value) => $"<t:Value Name=\"{name}\">{value}</t:Value>";

    /// <summary>A SOAP fault as Exchange sends it with HTTP 500.</summary>
    public static string Fault(string code, string text, string? messageXml = null) => Envelope(
        "<s:Fault>" +
        $"<faultcode xmlns:a=\"{TypesNs}\">a:{code}</faultcode><faultstring xml:lang=\"en-US\">{Escape(text)}</faultstring>" +
        "<detail>" +
        $"<e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">{code}</e:ResponseCode>" +
        $"<e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">{Escape(text)}</e:Message>" +
        (messageXml is null ? string.Empty : $"<t:MessageXml xmlns:t=\"{TypesNs}\">{messageXml}</t:MessageXml>") +
        "</detail></s:Fault>", header: null);

    public static string SyncItemsPage(string syncState, bool includesLast, string changes) => Response("SyncFolderItems",
        Success("SyncFolderItems", $"<m:SyncState>{syncState}</m:SyncState><m:IncludesLastItemInRange>{(includesLast ? "true" : "false")}</m:IncludesLastItemInRange><m:Changes>{changes}</m:Changes>"));

    public static string ServerBusy(int backOffMilliseconds) => Response("SyncFolderItems",
        Error("SyncFolderItems", "ErrorServerBusy", "The server cannot service this request right now. Try again later.",
            Value("BackOffMilliseconds", backOffMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>"));

    public static string Inbox() => Response("GetFolder", Success("GetFolder",
        "<m:Folders><t:Folder><t:FolderId Id=\"AAMkInbox=\" ChangeKey=\"AQAAAA==\"/><t:ParentFolderId Id=\"AAMkRoot=\"/>" +
        "<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>Inbox</t:DisplayName><t:TotalCount>12</t:TotalCount>" +
        "<t:ChildFolderCount>1</t:ChildFolderCount><t:UnreadCount>3</t:UnreadCount></t:Folder></m:Folders>"));

    public static string Escape(string text) => SecurityElement.Escape(text)!;
}
