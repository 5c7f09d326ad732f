using System;

namespace InboxPS.Core.Graph;

/// <summary>
/// Every Graph failure in one shape: the stable ErrorId (see <see cref="GraphErrorIds"/>), Graph's own error code and
/// the HTTP status, the client-request-id to quote to Microsoft, the back-off the server asked for, and whether the same
/// request may succeed later.
/// </summary>
public sealed class GraphException : InboxException
{
    public GraphException(string errorId, InboxErrorKind kind, string message, string? recommendedAction, object? target,
        SyncFault fault, string? code = null, int? httpStatus = null, string? requestId = null, TimeSpan? backOff = null,
        bool isTransient = false, Exception? innerException = null)
        : base(errorId, kind, message, recommendedAction, target, innerException, fault)
    {
        Code = code;
        HttpStatus = httpStatus;
        RequestId = requestId;
        BackOff = backOff;
        IsTransient = isTransient;
    }

    /// <summary>Graph's error.code (ErrorAccessDenied, SyncStateNotFound...), or a synthetic one (Timeout, InvalidResponse...).</summary>
    public string? Code { get; }

    public int? HttpStatus { get; }

    /// <summary>The client-request-id InboxPS sent: what to quote to Microsoft support.</summary>
    public string? RequestId { get; }

    /// <summary>How long the server asked to wait (Retry-After), when it said.</summary>
    public override TimeSpan? BackOff { get; }

    public bool IsTransient { get; }
}
