using System.Globalization;
using System.Text;

namespace InboxPS.Benchmarks;

/// <summary>
/// A SyncFolderItems response as Exchange Online sends one for a full page: 512 changes with real-length ids
/// (ItemIds of ~150 base64 characters, ChangeKeys of 40) in the mix an inbox sees (mostly creates, some updates,
/// read-flag changes and deletes), and a sync state of a few kilobytes.
/// </summary>
internal static class SyncPageGenerator
{
    public static byte[] Generate(int changes)
    {
        var xml = new StringBuilder(changes * 400);
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
            .Append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>")
            .Append("<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" MajorBuildNumber=\"8769\" MinorBuildNumber=\"35\" Version=\"V2018_01_08\" ")
            .Append("xmlns:h=\"http://schemas.microsoft.com/exchange/services/2006/types\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>")
            .Append("</s:Header><s:Body><m:SyncFolderItemsResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" ")
            .Append("xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>")
            .Append("<m:SyncFolderItemsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>")
            .Append("<m:SyncState>").Append(Base64(3000, 0)).Append("</m:SyncState>")
            .Append("<m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes>");

        for (var i = 0; i < changes; i++)
        {
            var id = Base64(152, i);
            var changeKey = Base64(40, i + 1_000_000);
            switch (i % 10)
            {
                case < 6:
                    xml.Append("<t:Create><t:Message><t:ItemId Id=\"").Append(id).Append("\" ChangeKey=\"").Append(changeKey).Append("\"/></t:Message></t:Create>");
                    break;
                case < 8:
                    xml.Append("<t:Update><t:Message><t:ItemId Id=\"").Append(id).Append("\" ChangeKey=\"").Append(changeKey).Append("\"/></t:Message></t:Update>");
                    break;
                case 8:
                    xml.Append("<t:ReadFlagChange><t:ItemId Id=\"").Append(id).Append("\" ChangeKey=\"").Append(changeKey)
                        .Append("\"/><t:IsRead>").Append(i % 20 == 8 ? "true" : "false").Append("</t:IsRead></t:ReadFlagChange>");
                    break;
                default:
                    xml.Append("<t:Delete><t:ItemId Id=\"").Append(id).Append("\" ChangeKey=\"").Append(changeKey).Append("\"/></t:Delete>");
                    break;
            }
        }

        xml.Append("</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>");
        return Encoding.UTF8.GetBytes(xml.ToString());
    }

    public static string Describe(byte[] body, int changes) =>
        string.Create(CultureInfo.InvariantCulture, $"SyncFolderItems, {changes} changes, {body.Length / 1024.0:F0} KB");

    // Deterministic base64 text of the given length, different per seed (ids must not repeat).
    private static string Base64(int length, int seed)
    {
        var bytes = new byte[length * 3 / 4];
        var state = (uint)(seed * 2654435761u + 12345u);
        for (var i = 0; i < bytes.Length; i++)
        {
            state = state * 1664525u + 1013904223u;
            bytes[i] = (byte)(state >> 24);
        }

        return Convert.ToBase64String(bytes)[..length];
    }
}
