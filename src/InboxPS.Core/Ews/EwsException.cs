using System;
using System.Collections.Generic;

namespace InboxPS.Core.Ews;

/// <summary>
/// Every EWS failure, in one shape: the stable <see cref="InboxException.ErrorId"/> (EwsImpersonationDenied,
/// EwsServerBusy, EwsInvalidSyncState...), the server's ResponseCode and MessageXml values, the HTTP status, the
/// request id to quote to Microsoft, whether retrying can help, and what the admin should do.
/// </summary>
public sealed class EwsException : InboxException
{
    private static readonly IReadOnlyDictionary<string, string> s_noValues = new Dictionary<string, string>();

    public EwsException(string errorId, InboxErrorKind kind, string message, string? recommendedAction = null,
        object? target = null, string? responseCode = null, int? httpStatus = null, string? requestId = null,
        IReadOnlyDictionary<string, string>? messageXml = null, TimeSpan? backOff = null, bool isTransient = false,
        Exception? innerException = null, SyncFault fault = SyncFault.None)
        : base(errorId, kind, message, recommendedAction, target, innerException, fault)
    {
        ResponseCode = responseCode;
        HttpStatus = httpStatus;
        RequestId = requestId;
        MessageXml = messageXml ?? s_noValues;
        BackOff = backOff;
        IsTransient = isTransient;
    }

    /// <summary>
    /// The EWS ResponseCode (ErrorImpersonateUserDenied...), or a synthetic one for failures without it:
    /// HttpStatus503, Timeout, ConnectionFailed, ConnectionReset, InvalidResponse, ResponseTooLarge.
    /// </summary>
    public string? ResponseCode { get; }

    public int? HttpStatus { get; }

    /// <summary>The client-request-id InboxPS sent (and Exchange logs): what to quote to Microsoft support.</summary>
    public string? RequestId { get; }

    /// <summary>The MessageXml values: BackOffMilliseconds, MailboxGuid, Policy, MaxConcurrencyLimit...</summary>
    public IReadOnlyDictionary<string, string> MessageXml { get; }

    /// <summary>How long the server asked to wait (BackOffMilliseconds or Retry-After), when it said.</summary>
    public override TimeSpan? BackOff { get; }

    /// <summary>True when the same request may succeed later (throttling, failover, timeouts).</summary>
    public bool IsTransient { get; }
}
