namespace InboxPS.Core.Ews.Protocol;

/// <summary>
/// What one operation reads from its response messages: the elements beyond the shared ones, and what a message's
/// outcome means (most operations throw on Error; GetItem keeps per-item errors).
/// </summary>
internal abstract class ResponseMessageHandler<T>
{
    /// <summary>A response message begins, with this class (its elements follow).</summary>
    public virtual void BeginMessage(ResponseClass responseClass)
    {
    }

    /// <summary>Reads (or skips) one operation-specific child of a response message; must move past the element.</summary>
    public abstract System.Threading.Tasks.Task ReadElementAsync(EwsXmlReader reader);

    /// <summary>Called after each response message, with its shared parts.</summary>
    public abstract void CompleteMessage(ResponseMessage message, EwsXmlReader reader);

    /// <summary>The result once the body is read; throws when the messages did not make one.</summary>
    public abstract T GetResult(EwsXmlReader reader);
}
