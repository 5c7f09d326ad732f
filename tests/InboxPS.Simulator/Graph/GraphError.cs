using System;
using System.Globalization;
using System.Text.Json.Nodes;

namespace InboxPS.Simulator.Graph;

/// <summary>
/// An error in Microsoft Graph's body shape: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
/// (concepts/errors.md). Codes and messages are the ones Microsoft documents or that real answers show
/// (../shared/graph-reference/samples, from-issues/); RetryAfter adds the Retry-After header.
/// </summary>
internal sealed record GraphError(int Status, string Code, string Message, TimeSpan? RetryAfter = null)
{
    public static GraphError InvalidToken(string message) => new(401, "InvalidAuthenticationToken", message);

    public static GraphError AccessDenied => new(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");

    /// <summary>The application access policy / RBAC for Applications answer (auth-limit-mailbox-access.md).</summary>
    public static GraphError AccessToODataDisabled => new(403, "ErrorAccessDenied", "Access to OData is disabled.");

    public static GraphError DirectoryDenied => new(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    public static GraphError MailboxNotEnabled => new(404, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox.");

    public static GraphError MailboxResourceNotFound => new(404, "ResourceNotFound", "Resource could not be discovered.");

    public static GraphError UserNotFound(string id) =>
        new(404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static GraphError ItemNotFound => new(404, "ErrorItemNotFound", "The specified object was not found in the store., The process failed to get the correct properties.");

    public static GraphError IdMalformed => new(400, "ErrorInvalidIdMalformed", "Id is malformed.");

    public static GraphError SyncFolderNotFound => new(404, "ErrorSyncFolderNotFound", "The sync folder was not found.");

    public static GraphError BadRequest(string message) => new(400, "BadRequest", message);

    public static GraphError SyncStateNotFound(int generation, int highest) => new(410, "SyncStateNotFound",
        string.Create(CultureInfo.InvariantCulture, $"The sync state generation is not found; generation={generation};[highest={highest}]."));

    public static GraphError MailboxConcurrency(TimeSpan retryAfter) =>
        new(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", retryAfter);

    public static GraphError RequestLimit(TimeSpan retryAfter) =>
        new(429, "ApplicationThrottled", "Application is over its MailboxRequests limit.", retryAfter);

    public static GraphError TooManyRequests(TimeSpan retryAfter) => new(429, "TooManyRequests", "Please retry again later.", retryAfter);

    public static GraphError ServiceUnavailable(TimeSpan retryAfter) =>
        new(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after the time in the Retry-After header.", retryAfter);

    public static GraphError GatewayTimeout(TimeSpan retryAfter) =>
        new(504, "UnknownError", "The gateway did not receive a timely response from the back end.", retryAfter);

    /// <summary>Exchange answers a mailbox in transit like this through REST (UNCONFIRMED for Graph: not in the docs read).</summary>
    public static GraphError MailboxMoveInProgress(TimeSpan retryAfter) =>
        new(503, "ErrorMailboxMoveInProgress", "The mailbox is being moved. Please try again later.", retryAfter);

    public JsonObject ToJson(string requestId, string? clientRequestId, DateTimeOffset now)
    {
        var inner = new JsonObject
        {
            ["date"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            ["request-id"] = requestId,
        };
        if (clientRequestId is not null)
        {
            inner["client-request-id"] = clientRequestId;
        }

        return new JsonObject { ["error"] = new JsonObject { ["code"] = Code, ["message"] = Message, ["innerError"] = inner } };
    }

    /// <summary>Retry-After in decimal seconds, "2.128" style when the delay has milliseconds, "5" otherwise.</summary>
    public static string FormatRetryAfter(TimeSpan delay) =>
        Math.Round(delay.TotalSeconds, 3).ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Thrown inside a Graph handler to answer with <see cref="Error"/>.</summary>
internal sealed class GraphErrorException : Exception
{
    public GraphErrorException(GraphError error)
        : base(error.Code + ": " + error.Message)
    {
        Error = error;
    }

    public GraphError Error { get; }
}
