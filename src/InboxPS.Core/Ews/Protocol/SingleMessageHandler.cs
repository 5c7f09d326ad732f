using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>Operations that send one request id and get one response message back: an Error message is thrown.</summary>
internal abstract class SingleMessageHandler<T> : ResponseMessageHandler<T>
{
    private bool _completed;

    public override void CompleteMessage(ResponseMessage message, EwsXmlReader reader)
    {
        if (message.Class == ResponseClass.Error)
        {
            throw message.ToException(reader.Context);
        }

        if (_completed)
        {
            throw reader.Invalid($"more than one <{reader.Names.ResponseMessage}> came back for one request");
        }

        _completed = true;
    }

    public override T GetResult(EwsXmlReader reader) =>
        _completed ? BuildResult(reader) : throw reader.Invalid($"the response has no <{reader.Names.ResponseMessage}>");

    protected abstract T BuildResult(EwsXmlReader reader);
}
