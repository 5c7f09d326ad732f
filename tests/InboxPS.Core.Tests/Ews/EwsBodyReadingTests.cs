using System.Net;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>An answer of announced, modest length is read whole and parsed synchronously; a large or unannounced one is
/// parsed as it arrives. Both read the same answer alike.</summary>
public sealed class EwsBodyReadingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_reads_alike_whether_its_length_is_announced_or_not(bool announced)
    {
        var ids = new[] { "A=", "B=", "C=" };
        var handler = new ScriptedHandler().Then(_ => Answer(GetItemAnswer(ids), announced));
        using var client = TestClients.Create(handler);

        var batch = await client.GetItemBatchAsync(TestClients.Alice, ids, true, null, default);

        Assert.Equal(ids, batch.Select(i => i.ItemId));
        Assert.Equal(new[] { "Subject A=", "Subject B=", "Subject C=" }, batch.Select(i => i.Subject));
        Assert.All(batch, item => Assert.Equal($"Subject: {item.Subject}\r\n\r\nBody", Encoding.UTF8.GetString(item.MimeContent!)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_document_cut_short_is_a_transient_truncated_answer_either_way(bool announced)
    {
        var xml = GetItemAnswer(new[] { "A=" });
        var handler = new ScriptedHandler().Then(_ => Answer(xml[..(xml.IndexOf("<t:Subject>", StringComparison.Ordinal) + 5)], announced));
        using var client = TestClients.Create(handler, o => o.Retry.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetItemBatchAsync(TestClients.Alice, new[] { "A=" }, true, null, default));

        Assert.Equal(("EwsInvalidResponse", true), (error.ErrorId, error.IsTransient));
        Assert.Contains("truncated", error.Message);
    }

    private static HttpResponseMessage Answer(string xml, bool announced)
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(xml)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/xml; charset=utf-8");
        if (!announced)
        {
            content.Headers.ContentLength = null;
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static string GetItemAnswer(IEnumerable<string> ids) => Soap.Response("GetItem", string.Concat(ids.Select(id =>
        Soap.Success("GetItem", $"<m:Items><t:Message><t:MimeContent CharacterSet=\"UTF-8\">{Convert.ToBase64String(Encoding.UTF8.GetBytes($"Subject: Subject {id}\r\n\r\nBody"))}</t:MimeContent>" +
                                $"<t:ItemId Id=\"{id}\" ChangeKey=\"k\"/><t:Subject>Subject {id}</t:Subject></t:Message></m:Items>"))));
}
