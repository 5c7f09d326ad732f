using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace InboxPS.Simulator.Ews;

/// <summary>The message properties the simulator models, in schema order (ItemType, then MessageType).</summary>
[Flags]
internal enum ItemProps : long
{
    None = 0,
    MimeContent = 1L << 0,
    ItemId = 1L << 1,
    ParentFolderId = 1L << 2,
    ItemClass = 1L << 3,
    Subject = 1L << 4,
    Sensitivity = 1L << 5,
    DateTimeReceived = 1L << 6,
    Size = 1L << 7,
    Importance = 1L << 8,
    IsSubmitted = 1L << 9,
    IsDraft = 1L << 10,
    IsFromMe = 1L << 11,
    IsResend = 1L << 12,
    IsUnmodified = 1L << 13,
    DateTimeSent = 1L << 14,
    DateTimeCreated = 1L << 15,
    DisplayCc = 1L << 16,
    DisplayTo = 1L << 17,
    HasAttachments = 1L << 18,
    Culture = 1L << 19,
    LastModifiedTime = 1L << 20,
    IsAssociated = 1L << 21,
    ConversationId = 1L << 22,
    Sender = 1L << 23,
    ToRecipients = 1L << 24,
    CcRecipients = 1L << 25,
    ConversationTopic = 1L << 26,
    From = 1L << 27,
    InternetMessageId = 1L << 28,
    IsRead = 1L << 29,

    /// <summary>Default and AllProperties: everything modelled except MIME, which must be asked for.</summary>
    All = (1L << 30) - 1 - MimeContent,
}

[Flags]
internal enum FolderProps
{
    None = 0,
    FolderId = 1,
    ParentFolderId = 2,
    FolderClass = 4,
    DisplayName = 8,
    TotalCount = 16,
    ChildFolderCount = 32,
    DistinguishedFolderId = 64,
    UnreadCount = 128,
    Default = FolderId | DisplayName | TotalCount | ChildFolderCount | UnreadCount,
    All = Default | ParentFolderId | FolderClass,
}

/// <summary>Reads ItemShape / FolderShape (BaseShape, IncludeMimeContent, AdditionalProperties/FieldURI).</summary>
internal static class Shapes
{
    private static readonly XNamespace s_t = Soap.TypesNs;

    private static readonly Dictionary<string, ItemProps> s_itemFields = Enum.GetValues<ItemProps>()
        .Where(p => p is not (ItemProps.None or ItemProps.All))
        .ToDictionary(p => (IsMessageField(p) ? "message:" : "item:") + p, p => p, StringComparer.Ordinal);

    private static readonly Dictionary<string, FolderProps> s_folderFields = Enum.GetValues<FolderProps>()
        .Where(p => p is not (FolderProps.None or FolderProps.Default or FolderProps.All))
        .ToDictionary(p => "folder:" + p, p => p, StringComparer.Ordinal);

    public static ItemProps ItemShape(XElement? shape)
    {
        var props = BaseShape(shape) switch
        {
            "IdOnly" => ItemProps.ItemId,
            _ => ItemProps.All,
        };
        if (bool.TryParse((string?)shape?.Element(s_t + "IncludeMimeContent"), out var mime) && mime)
        {
            props |= ItemProps.MimeContent;
        }

        // Field URIs the simulator does not model are valid EWS; they are simply not returned.
        foreach (var uri in FieldUris(shape))
        {
            props |= s_itemFields.GetValueOrDefault(uri);
        }

        return props;
    }

    public static FolderProps FolderShape(XElement? shape)
    {
        var props = BaseShape(shape) switch
        {
            "IdOnly" => FolderProps.FolderId,
            "Default" => FolderProps.Default,
            _ => FolderProps.All,
        };
        foreach (var uri in FieldUris(shape))
        {
            props |= s_folderFields.GetValueOrDefault(uri);
        }

        return props;
    }

    private static string BaseShape(XElement? shape)
    {
        var value = (string?)shape?.Element(s_t + "BaseShape");
        return value is "IdOnly" or "Default" or "AllProperties"
            ? value
            : throw new EwsFaultException(EwsError.SchemaValidation(
                $"The element 'BaseShape' must be IdOnly, Default or AllProperties; found '{value ?? "(missing)"}'."));
    }

    private static IEnumerable<string> FieldUris(XElement? shape) =>
        shape?.Element(s_t + "AdditionalProperties")?.Elements(s_t + "FieldURI")
            .Select(e => (string?)e.Attribute("FieldURI") ?? "") ?? Enumerable.Empty<string>();

    private static bool IsMessageField(ItemProps p) => p is ItemProps.Sender or ItemProps.ToRecipients or ItemProps.CcRecipients
        or ItemProps.ConversationTopic or ItemProps.From or ItemProps.InternetMessageId or ItemProps.IsRead;
}
