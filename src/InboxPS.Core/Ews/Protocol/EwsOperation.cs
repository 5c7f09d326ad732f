using System.Xml;

namespace InboxPS.Core.Ews.Protocol;

/// <summary>One EWS operation: how to write its request body and how to read its response messages.</summary>
internal abstract class EwsOperation<T>
{
    protected EwsOperation(string name)
    {
        Name = name;
    }

    /// <summary>The operation's element name, e.g. SyncFolderItems; its response is SyncFolderItemsResponse.</summary>
    public string Name { get; }

    /// <summary>Writes the child of soap:Body (m:SyncFolderItems...).</summary>
    public abstract void WriteBody(XmlWriter writer);

    /// <summary>A fresh handler for one response (handlers hold the state of one read).</summary>
    public abstract ResponseMessageHandler<T> CreateHandler();
}
