using System.Text;
using InboxPS.Core.Ews;
using InboxPS.Core.Ews.Protocol;

namespace InboxPS.Core.Tests.Ews.Support;

/// <summary>Reads samples of operations the client does not send (ExportItems, FindItem...) with the shared response
/// reader, recording each response message; items found under RootFolder/Items or Changes are read with the item reader.</summary>
internal sealed class RecordingHandler : ResponseMessageHandler<RecordingHandler>
{
    public List<ResponseMessage> Messages { get; } = new();
    public List<EwsItem> Items { get; } = new();

    public static Task<RecordingHandler> ReadAsync(string xml, string operation, out ResponseContext context)
    {
        context = new ResponseContext(operation, TestClients.Alice, "test-request");
        return SoapEnvelopeReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), operation, new RecordingHandler(), context);
    }

    public override async Task ReadElementAsync(EwsXmlReader reader)
    {
        if (reader.LocalName is "RootFolder" or "Items" or "Changes" or "Create" or "Update")
        {
            var depth = reader.Depth;
            while (await reader.NextChildAsync(depth))
            {
                await ReadElementAsync(reader);
            }
        }
        else if (reader.LocalName is "Message" or "MeetingRequest" or "Item")
        {
            Items.Add(await ItemProperties.ReadAsync(reader));
        }
        else
        {
            await reader.SkipAsync();
        }
    }

    public override void CompleteMessage(ResponseMessage message, EwsXmlReader reader) => Messages.Add(message);

    public override RecordingHandler GetResult(EwsXmlReader reader) => this;
}
