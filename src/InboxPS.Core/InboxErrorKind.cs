namespace InboxPS.Core;

/// <summary>What kind of failure an <see cref="InboxException"/> is; the cmdlets map it to an ErrorCategory.</summary>
public enum InboxErrorKind
{
    InvalidArgument,
    InvalidData,
    NotFound,
    PermissionDenied,
    AuthenticationError,
    ConnectionError,
    ResourceBusy,
    ResourceUnavailable,
    OperationTimeout,
    LimitsExceeded,
    OpenError,
    WriteError,
    InvalidOperation,
    OperationStopped,
}
