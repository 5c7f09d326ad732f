using System;
using System.Collections.Generic;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// A folder argument is either a distinguished (well-known) folder name or an EWS FolderId. The two cannot be confused:
/// distinguished names are the lowercase words of the schema's DistinguishedFolderIdNameType, while FolderIds are long
/// base64 strings. So a value on this list is written as DistinguishedFolderId, anything else as FolderId.
/// </summary>
internal static class FolderReference
{
    /// <summary>The schema's DistinguishedFolderIdNameType values (a test keeps this list equal to types.xsd).</summary>
    internal static readonly HashSet<string> DistinguishedNames = new(StringComparer.Ordinal)
    {
        "calendar", "contacts", "deleteditems", "drafts", "inbox", "journal", "notes", "outbox", "sentitems", "tasks",
        "msgfolderroot", "publicfoldersroot", "root", "junkemail", "searchfolders", "voicemail", "recoverableitemsroot",
        "recoverableitemsdeletions", "recoverableitemsversions", "recoverableitemspurges", "recoverableitemsdiscoveryholds",
        "archiveroot", "archivemsgfolderroot", "archivedeleteditems", "archiveinbox", "archiverecoverableitemsroot",
        "archiverecoverableitemsdeletions", "archiverecoverableitemsversions", "archiverecoverableitemspurges",
        "archiverecoverableitemsdiscoveryholds", "syncissues", "conflicts", "localfailures", "serverfailures",
        "recipientcache", "quickcontacts", "conversationhistory", "adminauditlogs", "todosearch", "mycontacts", "directory",
        "imcontactlist", "peopleconnect", "favorites", "mecontact", "personmetadata", "teamspaceactivity",
        "teamspacemessaging", "teamspaceworkitems", "scheduled", "orionnotes", "tagitems", "alltaggeditems",
        "allcategorizeditems", "externalcontacts", "teamchat", "teamchathistory", "yammerdata", "yammerroot",
        "yammerinbound", "yammeroutbound", "yammerfeeds", "kaizaladata", "messageingestion", "onedriveroot",
        "onedriverecylebin", "onedrivesystem", "onedrivevolume", "important", "starred", "archive",
    };

    public static bool IsDistinguished(string folder) => DistinguishedNames.Contains(folder);

    /// <summary>Throws for an empty folder argument; returns it unchanged otherwise.</summary>
    public static string Require(string folder, string parameterName) =>
        !string.IsNullOrWhiteSpace(folder) ? folder : throw new ArgumentException("A folder name or FolderId is required.", parameterName);

    public static void Write(XmlWriter writer, string folder)
    {
        writer.WriteStartElement("t", IsDistinguished(folder) ? "DistinguishedFolderId" : "FolderId", EwsNamespaces.Types);
        writer.WriteAttributeString("Id", folder);
        writer.WriteEndElement();
    }
}
