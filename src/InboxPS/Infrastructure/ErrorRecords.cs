using System;
using System.Management.Automation;
using InboxPS.Core;

namespace InboxPS.Infrastructure;

/// <summary>Turns the core's <see cref="InboxException"/> into ErrorRecords with stable ids and the right category.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(InboxException exception)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, Category(exception.Kind), exception.Target);
        if (exception.RecommendedAction is { } action)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = action };
        }

        return record;
    }

    /// <summary>
    /// A failed mailbox of a bulk run: the same record (id, category, exception, recommended action) with a one-line
    /// text, so 2,000 failures do not bury the console; the result row carries the whole message.
    /// </summary>
    public static ErrorRecord ForMailbox(InboxException exception, string mailbox)
    {
        var record = From(exception);
        record.ErrorDetails = new ErrorDetails($"{mailbox} failed ({exception.ErrorId}); its result's Message and RecommendedAction say why and what to do.")
        {
            RecommendedAction = exception.RecommendedAction ?? string.Empty,
        };
        return record;
    }

    public static ErrorRecord From(string errorId, ErrorCategory category, string message, object? target, string? recommendedAction = null)
    {
        var record = new ErrorRecord(new InvalidOperationException(message), errorId, category, target);
        if (recommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
        }

        return record;
    }

    public static ErrorCategory Category(InboxErrorKind kind) => kind switch
    {
        InboxErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        InboxErrorKind.InvalidData => ErrorCategory.InvalidData,
        InboxErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        InboxErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        InboxErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        InboxErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        InboxErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        InboxErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        InboxErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        InboxErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        InboxErrorKind.OpenError => ErrorCategory.OpenError,
        InboxErrorKind.WriteError => ErrorCategory.WriteError,
        InboxErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.InvalidOperation,
    };
}
