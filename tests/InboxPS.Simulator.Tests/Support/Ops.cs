using System.Security;
using System.Xml.Linq;

namespace InboxPS.Simulator.Tests.Support;

/// <summary>Hand-written SOAP bodies for the operations the simulator answers, and a loop that syncs a folder to the end.</summary>
public static class Ops
{
    public static string GetFolder(string shape, params string[] distinguishedIds) =>
        $"<m:GetFolder><m:FolderShape><t:BaseShape>{shape}</t:BaseShape></m:FolderShape><m:FolderIds>"
        + string.Concat(distinguishedIds.Select(id => $"<t:DistinguishedFolderId Id=\"{id}\"/>"))
        + "</m:FolderIds></m:GetFolder>";

    public static string GetFolderById(string folderId) =>
        $"<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id=\"{folderId}\"/></m:FolderIds></m:GetFolder>";

    public static string SyncFolderHierarchy(string? syncState = null, string shape = "AllProperties", string? syncFolder = null) =>
        $"<m:SyncFolderHierarchy><m:FolderShape><t:BaseShape>{shape}</t:BaseShape></m:FolderShape>"
        + (syncFolder is null ? "" : $"<m:SyncFolderId><t:DistinguishedFolderId Id=\"{syncFolder}\"/></m:SyncFolderId>")
        + (syncState is null ? "" : $"<m:SyncState>{syncState}</m:SyncState>")
        + "</m:SyncFolderHierarchy>";

    /// <summary>SyncFolderItems with IdOnly plus the properties a sync client stores.</summary>
    public static string SyncFolderItems(string folder, string? syncState, int max, string shape = "IdOnly", IEnumerable<string>? ignore = null)
    {
        var folderId = !folder.All(char.IsAsciiLetterLower) ? $"<t:FolderId Id=\"{folder}\"/>" : $"<t:DistinguishedFolderId Id=\"{folder}\"/>";
        var ignored = ignore is null ? "" : "<m:Ignore>" + string.Concat(ignore.Select(id => $"<t:ItemId Id=\"{id}\"/>")) + "</m:Ignore>";
        return $"<m:SyncFolderItems><m:ItemShape><t:BaseShape>{shape}</t:BaseShape><t:AdditionalProperties>"
            + "<t:FieldURI FieldURI=\"item:Subject\"/><t:FieldURI FieldURI=\"message:IsRead\"/><t:FieldURI FieldURI=\"message:InternetMessageId\"/>"
            + $"</t:AdditionalProperties></m:ItemShape><m:SyncFolderId>{folderId}</m:SyncFolderId>"
            + (syncState is null ? "" : $"<m:SyncState>{SecurityElement.Escape(syncState)}</m:SyncState>")
            + ignored + $"<m:MaxChangesReturned>{max}</m:MaxChangesReturned><m:SyncScope>NormalItems</m:SyncScope></m:SyncFolderItems>";
    }

    public static string GetItem(IEnumerable<string> itemIds, string shape = "AllProperties", bool mime = false) =>
        $"<m:GetItem><m:ItemShape><t:BaseShape>{shape}</t:BaseShape>" + (mime ? "<t:IncludeMimeContent>true</t:IncludeMimeContent>" : "")
        + "</m:ItemShape><m:ItemIds>" + string.Concat(itemIds.Select(id => $"<t:ItemId Id=\"{id}\"/>")) + "</m:ItemIds></m:GetItem>";

    public static string ResolveNames(string entry) =>
        $"<m:ResolveNames ReturnFullContactData=\"false\"><m:UnresolvedEntry>{SecurityElement.Escape(entry)}</m:UnresolvedEntry></m:ResolveNames>";

    /// <summary>The changes of one SyncFolderItems page as (kind, item id, subject, isRead).</summary>
    public static IReadOnlyList<SyncChange> Changes(EwsAnswer answer) =>
        answer.Message.Element(EwsClient.M + "Changes")?.Elements().Select(change =>
        {
            var item = change.Element(EwsClient.T + "Message") ?? change;
            return new SyncChange(
                change.Name.LocalName,
                (string)item.Element(EwsClient.T + "ItemId")!.Attribute("Id")!,
                (string?)item.Element(EwsClient.T + "Subject"),
                (bool?)item.Element(EwsClient.T + "IsRead"));
        }).ToList() ?? new List<SyncChange>();

    /// <summary>
    /// Syncs a folder until IncludesLastItemInRange, applying changes to <paramref name="store"/> (item id -> isRead) the
    /// way a client's store would. Returns the final state and the number of calls.
    /// </summary>
    public static async Task<(string State, int Calls)> SyncToEndAsync(EwsClient client, string mailbox, string folder, string? state,
        int max, Dictionary<string, bool> store, List<SyncChange>? seen = null)
    {
        for (var calls = 1; calls < 10_000; calls++)
        {
            var answer = await client.SendAsync(SyncFolderItems(folder, state, max), mailbox);
            Assert.True(answer.ResponseCode == "NoError", answer.Text);
            var changes = Changes(answer);
            Assert.True(changes.Count <= max, $"{changes.Count} changes with MaxChangesReturned {max}");
            foreach (var change in changes)
            {
                seen?.Add(change);
                switch (change.Kind)
                {
                    case "Create" or "Update":
                        store[change.ItemId] = change.IsRead ?? false;
                        break;
                    case "ReadFlagChange":
                        store[change.ItemId] = change.IsRead!.Value;
                        break;
                    case "Delete":
                        store.Remove(change.ItemId);
                        break;
                }
            }

            state = (string)answer.Message.Element(EwsClient.M + "SyncState")!;
            if ((bool)answer.Message.Element(EwsClient.M + "IncludesLastItemInRange")!)
            {
                return (state, calls);
            }
        }

        throw new InvalidOperationException("The sync never reached IncludesLastItemInRange.");
    }

    public static string State(EwsAnswer answer) => (string)answer.Message.Element(EwsClient.M + "SyncState")!;

    public static XElement? Value(XElement parent, string name) => parent.Descendants(EwsClient.T + name).FirstOrDefault();
}

public sealed record SyncChange(string Kind, string ItemId, string? Subject, bool? IsRead);
