using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// The element and attribute names the readers look for, atomized in the reader's own name table, so that matching a
/// name is a reference comparison instead of a string comparison. One instance per response read (NameTable is not
/// thread-safe, and a per-read table cannot be grown without bound by hostile input).
/// </summary>
internal sealed class EwsNames
{
    public EwsNames(string operation)
    {
        Table = new NameTable();
        SoapNamespace = Add(EwsNamespaces.Soap);
        Envelope = Add("Envelope");
        Header = Add("Header");
        Body = Add("Body");
        Fault = Add("Fault");
        FaultCode = Add("faultcode");
        FaultString = Add("faultstring");
        Detail = Add("detail");
        ServerVersionInfo = Add("ServerVersionInfo");
        MajorVersion = Add("MajorVersion");
        MinorVersion = Add("MinorVersion");
        MajorBuildNumber = Add("MajorBuildNumber");
        MinorBuildNumber = Add("MinorBuildNumber");
        Version = Add("Version");
        Response = Add(operation + "Response");
        ResponseMessage = Add(operation + "ResponseMessage");
        ResponseMessages = Add("ResponseMessages");
        ResponseClass = Add("ResponseClass");
        MessageText = Add("MessageText");
        ResponseCode = Add("ResponseCode");
        DescriptiveLinkKey = Add("DescriptiveLinkKey");
        MessageXml = Add("MessageXml");
        Message = Add("Message");
        Name = Add("Name");
        SyncState = Add("SyncState");
        IncludesLastItemInRange = Add("IncludesLastItemInRange");
        IncludesLastFolderInRange = Add("IncludesLastFolderInRange");
        Changes = Add("Changes");
        Create = Add("Create");
        Update = Add("Update");
        Delete = Add("Delete");
        ReadFlagChange = Add("ReadFlagChange");
        Folders = Add("Folders");
        FolderId = Add("FolderId");
        ParentFolderId = Add("ParentFolderId");
        DisplayName = Add("DisplayName");
        FolderClass = Add("FolderClass");
        TotalCount = Add("TotalCount");
        UnreadCount = Add("UnreadCount");
        ChildFolderCount = Add("ChildFolderCount");
        Items = Add("Items");
        ItemId = Add("ItemId");
        Id = Add("Id");
        ChangeKey = Add("ChangeKey");
        ItemClass = Add("ItemClass");
        Subject = Add("Subject");
        InternetMessageId = Add("InternetMessageId");
        ConversationId = Add("ConversationId");
        From = Add("From");
        ToRecipients = Add("ToRecipients");
        CcRecipients = Add("CcRecipients");
        Mailbox = Add("Mailbox");
        EmailAddress = Add("EmailAddress");
        RoutingType = Add("RoutingType");
        DateTimeSent = Add("DateTimeSent");
        DateTimeReceived = Add("DateTimeReceived");
        Size = Add("Size");
        IsRead = Add("IsRead");
        HasAttachments = Add("HasAttachments");
        MimeContent = Add("MimeContent");
    }

    public XmlNameTable Table { get; }

    public string SoapNamespace { get; }
    public string Envelope { get; }
    public string Header { get; }
    public string Body { get; }
    public string Fault { get; }
    public string FaultCode { get; }
    public string FaultString { get; }
    public string Detail { get; }
    public string ServerVersionInfo { get; }
    public string MajorVersion { get; }
    public string MinorVersion { get; }
    public string MajorBuildNumber { get; }
    public string MinorBuildNumber { get; }
    public string Version { get; }

    /// <summary>The operation's response element, e.g. SyncFolderItemsResponse.</summary>
    public string Response { get; }

    /// <summary>The operation's response message element, e.g. SyncFolderItemsResponseMessage.</summary>
    public string ResponseMessage { get; }

    public string ResponseMessages { get; }
    public string ResponseClass { get; }
    public string MessageText { get; }
    public string ResponseCode { get; }
    public string DescriptiveLinkKey { get; }
    public string MessageXml { get; }
    public string Message { get; }
    public string Name { get; }
    public string SyncState { get; }
    public string IncludesLastItemInRange { get; }
    public string IncludesLastFolderInRange { get; }
    public string Changes { get; }
    public string Create { get; }
    public string Update { get; }
    public string Delete { get; }
    public string ReadFlagChange { get; }
    public string Folders { get; }
    public string FolderId { get; }
    public string ParentFolderId { get; }
    public string DisplayName { get; }
    public string FolderClass { get; }
    public string TotalCount { get; }
    public string UnreadCount { get; }
    public string ChildFolderCount { get; }
    public string Items { get; }
    public string ItemId { get; }
    public string Id { get; }
    public string ChangeKey { get; }
    public string ItemClass { get; }
    public string Subject { get; }
    public string InternetMessageId { get; }
    public string ConversationId { get; }
    public string From { get; }
    public string ToRecipients { get; }
    public string CcRecipients { get; }
    public string Mailbox { get; }
    public string EmailAddress { get; }
    public string RoutingType { get; }
    public string DateTimeSent { get; }
    public string DateTimeReceived { get; }
    public string Size { get; }
    public string IsRead { get; }
    public string HasAttachments { get; }
    public string MimeContent { get; }

    private string Add(string name) => Table.Add(name);
}
