using System;

namespace InboxPS.Core.Store;

/// <summary>The store could not be opened or written; the message names the path and what to do.</summary>
public sealed class StoreException : InboxException
{
    public StoreException(string errorId, InboxErrorKind kind, string path, string message, string recommendedAction,
        Exception? innerException = null, SyncFault fault = SyncFault.None)
        : base(errorId, kind, message, recommendedAction, path, innerException, fault)
    {
        Path = path;
    }

    public string Path { get; }
}
