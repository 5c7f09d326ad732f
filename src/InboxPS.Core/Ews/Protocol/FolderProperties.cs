using System.Threading.Tasks;
using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>The folder shape InboxPS asks for (ids plus what <see cref="EwsFolder"/> holds) and how to read a folder.</summary>
internal static class FolderProperties
{
    private static readonly string[] s_fieldUris =
    {
        "folder:ParentFolderId", "folder:DisplayName", "folder:FolderClass", "folder:TotalCount", "folder:UnreadCount",
        "folder:ChildFolderCount",
    };

    public static void WriteShape(XmlWriter writer)
    {
        writer.WriteStartElement("m", "FolderShape", EwsNamespaces.Messages);
        SoapRequestWriter.WriteIdOnlyBaseShape(writer);
        SoapRequestWriter.WriteAdditionalProperties(writer, s_fieldUris);
        writer.WriteEndElement();
    }

    /// <summary>Reads a Folder, CalendarFolder, ContactsFolder, SearchFolder or TasksFolder element.</summary>
    public static async ValueTask<EwsFolder> ReadAsync(EwsXmlReader reader)
    {
        var names = reader.Names;
        var element = reader.LocalName;
        string? folderId = null;
        string? changeKey = null;
        string? parentFolderId = null;
        var displayName = string.Empty;
        string? folderClass = null;
        int? totalCount = null;
        int? unreadCount = null;
        int? childFolderCount = null;

        var depth = reader.Depth;
        while (await reader.NextChildAsync(depth).ConfigureAwait(false))
        {
            if (reader.Is(names.FolderId))
            {
                folderId = reader.GetAttribute(names.Id);
                changeKey = reader.GetAttribute(names.ChangeKey);
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.ParentFolderId))
            {
                parentFolderId = reader.GetAttribute(names.Id);
                await reader.SkipAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.DisplayName))
            {
                displayName = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.FolderClass))
            {
                folderClass = await reader.ReadStringAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.TotalCount))
            {
                totalCount = await reader.ReadIntAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.UnreadCount))
            {
                unreadCount = await reader.ReadIntAsync().ConfigureAwait(false);
            }
            else if (reader.Is(names.ChildFolderCount))
            {
                childFolderCount = await reader.ReadIntAsync().ConfigureAwait(false);
            }
            else
            {
                await reader.SkipAsync().ConfigureAwait(false);
            }
        }

        if (string.IsNullOrEmpty(folderId))
        {
            throw reader.Invalid($"a <{element}> has no FolderId");
        }

        return new EwsFolder(folderId!, changeKey, parentFolderId, displayName, folderClass, totalCount, unreadCount, childFolderCount);
    }
}
