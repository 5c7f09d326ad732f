using System;
using System.Collections.Generic;
using System.Globalization;
using InboxPS.Core.Ews.Protocol;

namespace InboxPS.Core.Ews;

/// <summary>
/// The one place that turns an EWS ResponseCode, an HTTP status or a transport failure into an <see cref="EwsException"/>:
/// stable error id, kind, transient or not, the <see cref="SyncFault"/> the engine reacts to, and the action an admin can
/// follow ("{0}" in an action is the mailbox).
/// </summary>
internal static class EwsErrors
{
    private const string Impersonation =
        "Let the service account impersonate {0}. Exchange Server: New-ManagementRoleAssignment -Role ApplicationImpersonation " +
        "-User <service account> (with -CustomRecipientWriteScope <scope>, make sure the scope includes {0}). App-only OAuth " +
        "(Exchange Online): grant the app full_access_as_app with admin consent, and if RBAC for Applications or an application " +
        "access policy limits the app, include {0} in its scope.";

    private const string Throttled =
        "Exchange is throttling this mailbox and InboxPS waits the back-off it asks for. If it persists, lower -ThrottleLimit; " +
        "on Exchange Server, raise the service account's EWS limits (EWSMaxConcurrency and its budget) with New-ThrottlingPolicy " +
        "and Set-ThrottlingPolicyAssociation.";

    private const string CheckEndpoint =
        "Check the EWS URL and any proxy between this machine and Exchange: something other than Exchange answered.";

    private static readonly Dictionary<string, Rule> s_rules = new(StringComparer.Ordinal)
    {
        ["ErrorImpersonateUserDenied"] = new("EwsImpersonationDenied", InboxErrorKind.PermissionDenied, false, Impersonation, SyncFault.AccessDenied),
        ["ErrorImpersonationDenied"] = new("EwsImpersonationDenied", InboxErrorKind.PermissionDenied, false, Impersonation, SyncFault.AccessDenied),
        ["ErrorImpersonationFailed"] = new("EwsImpersonationFailed", InboxErrorKind.InvalidArgument, false,
            "Exchange could not find the user behind {0}: impersonate by primary SMTP address, or check that the value matches the account (a UPN must equal its UserPrincipalName).", SyncFault.MailboxNotFound),
        ["ErrorInvalidExchangeImpersonationHeaderData"] = new("EwsImpersonationFailed", InboxErrorKind.InvalidArgument, false,
            "Impersonate {0} by primary SMTP address or user principal name."),
        ["ErrorNonExistentMailbox"] = new("EwsMailboxNotFound", InboxErrorKind.NotFound, false,
            "Check that {0} is spelled right and has a mailbox (Get-Mailbox {0}); in Exchange Online the user needs a licence that includes Exchange Online, and a new mailbox can take a while to appear.", SyncFault.MailboxNotFound),
        ["ErrorMailboxConfiguration"] = new("EwsMailboxMisconfigured", InboxErrorKind.InvalidData, false,
            "Exchange's directory record of {0} is inconsistent: check it with Get-Mailbox {0} | Format-List Database,RecipientTypeDetails."),
        ["ErrorInvalidLicense"] = new("EwsInvalidLicense", InboxErrorKind.PermissionDenied, false,
            "Assign {0} an Exchange Online licence that allows EWS.", SyncFault.AccessDenied),
        ["ErrorAccessDenied"] = new("EwsAccessDenied", InboxErrorKind.PermissionDenied, false,
            "The service account or app was refused {0}: check its impersonation rights (or the scope of full_access_as_app), and that EWS is allowed for the mailbox and the organization (Get-CASMailbox {0} | Format-List EwsEnabled; Get-OrganizationConfig | Format-List Ews*).", SyncFault.AccessDenied),
        ["ErrorUserNotAllowedByPolicy"] = new("EwsAccessDenied", InboxErrorKind.PermissionDenied, false,
            "An EWS access policy blocks this client: allow it with Set-OrganizationConfig -EwsApplicationAccessPolicy, -EwsAllowList or -EwsAllowedAppIDs.", SyncFault.AccessDenied),
        ["ErrorMailboxMoveInProgress"] = new("EwsMailboxMoveInProgress", InboxErrorKind.ResourceUnavailable, true,
            "{0} is being moved to another database; it syncs again once the move completes (Get-MoveRequest {0})."),
        ["ErrorMailboxStoreUnavailable"] = Unavailable(),
        ["ErrorMailboxFailover"] = Unavailable(),
        ["ErrorConnectionFailed"] = Unavailable(),
        ["ErrorADUnavailable"] = Unavailable(),
        ["ErrorNoRespondingCASInDestinationSite"] = Unavailable(),
        ["ErrorServerBusy"] = Busy(),
        ["ErrorTooManyObjectsOpened"] = Busy(),
        ["ErrorExceededConnectionCount"] = new("EwsTooManyConcurrentRequests", InboxErrorKind.ResourceBusy, true,
            "Too many EWS requests ran at once for this mailbox (EWSMaxConcurrency): lower -ThrottleLimit; on Exchange Server, raise EWSMaxConcurrency with a throttling policy assigned to the service account.", SyncFault.Throttled),
        ["ErrorInternalServerTransientError"] = ServerError(),
        ["ErrorInternalServerError"] = ServerError(),
        ["ErrorNotEnoughMemory"] = ServerError(),
        ["ErrorTimeoutExpired"] = new("EwsServerTimeout", InboxErrorKind.OperationTimeout, true, null, SyncFault.Unavailable),
        ["ErrorInvalidSyncStateData"] = new("EwsInvalidSyncState", InboxErrorKind.InvalidData, false,
            "None: InboxPS drops the folder's sync state and synchronizes the folder again from the start.", SyncFault.InvalidSyncState),
        ["ErrorSyncFolderNotFound"] = new("EwsSyncFolderNotFound", InboxErrorKind.NotFound, false,
            "None: the folder was deleted or moved, and InboxPS reads the folder hierarchy again.", SyncFault.FolderNotFound),
        ["ErrorFolderNotFound"] = new("EwsFolderNotFound", InboxErrorKind.NotFound, false,
            "Check the folder: well-known folders are lowercase names such as inbox or sentitems; anything else must be an EWS FolderId."),
        ["ErrorItemNotFound"] = new("EwsItemNotFound", InboxErrorKind.NotFound, false, null),
        ["ErrorInvalidIdMalformed"] = new("EwsInvalidId", InboxErrorKind.InvalidArgument, false, null),
        ["ErrorInvalidId"] = new("EwsInvalidId", InboxErrorKind.InvalidArgument, false, null),
        ["ErrorInvalidServerVersion"] = Version(),
        ["ErrorIncorrectSchemaVersion"] = Version(),
        ["ErrorInvalidRequest"] = Rejected(),
        ["ErrorSchemaValidation"] = Rejected(),
    };

    /// <summary>Codes whose failure belongs to one item of a GetItem batch, not to the request.</summary>
    private static readonly HashSet<string> s_itemScoped = new(StringComparer.Ordinal)
    {
        "ErrorItemNotFound", "ErrorItemCorrupt", "ErrorCorruptData", "ErrorMimeContentConversionFailed",
        "ErrorInvalidIdMalformed", "ErrorInvalidId", "ErrorMessageSizeExceeded", "ErrorItemPropertyRequestFailed",
    };

    /// <summary>The response codes the catalog knows by name (a test checks each against messages.xsd).</summary>
    internal static IEnumerable<string> KnownResponseCodes => s_rules.Keys;

    internal static IEnumerable<string> ItemScopedResponseCodes => s_itemScoped;

    internal static bool IsItemScoped(string responseCode) => s_itemScoped.Contains(responseCode);

    /// <summary>An error the server reported by ResponseCode, in a response message or a SOAP fault.</summary>
    public static EwsException FromResponseCode(string responseCode, string? messageText,
        IReadOnlyDictionary<string, string>? messageXml, ResponseContext context)
    {
        var rule = s_rules.TryGetValue(responseCode, out var known)
            ? known
            : new Rule("EwsRequestFailed", InboxErrorKind.InvalidOperation, false, null);
        if (IsItemScoped(responseCode))
        {
            rule = rule.ForOneItem();
        }

        var text = string.IsNullOrWhiteSpace(messageText) ? string.Empty : ": " + messageText!.Trim();
        return Create(rule, $"{context.Describe()} failed with {responseCode}{text}{context.Trailer()}", context,
            responseCode, messageXml, BackOffFrom(messageXml) ?? context.RetryAfter);
    }

    /// <summary>A status that carries no EWS answer worth reading (anything but 200 and 500).</summary>
    /// <param name="called">The URL the request went to: a 404 names it, since a wrong EWS URL is the usual cause.</param>
    public static EwsException FromHttpStatus(int status, string? reason, ResponseContext context, string? location, Uri? called = null)
    {
        var rule = status switch
        {
            401 => new Rule("EwsUnauthorized", InboxErrorKind.AuthenticationError, false,
                "Reconnect the service account (Connect-InboxImpersonation): Exchange refused its token or password. For app-only OAuth, check that the app has full_access_as_app with admin consent in this tenant.", SyncFault.OrganizationSignIn),
            403 => new Rule("EwsForbidden", InboxErrorKind.PermissionDenied, false,
                "Check that EWS is enabled for the organization and this app may use it (Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs <app id>), and that no Conditional Access policy blocks the service account.", SyncFault.AccessDenied),
            404 => new Rule("EwsEndpointNotFound", InboxErrorKind.NotFound, false,
                "Check the EWS URL: it usually ends in /EWS/Exchange.asmx."),
            429 or 503 => Busy(),
            502 or 504 => new Rule("EwsServiceUnavailable", InboxErrorKind.ResourceUnavailable, true, null, SyncFault.Unavailable),
            >= 300 and < 400 => new Rule("EwsRedirected", InboxErrorKind.InvalidOperation, false,
                "Use the address the server redirects to as the EWS URL; InboxPS does not follow redirects with credentials."),
            >= 500 => new Rule("EwsHttpError", InboxErrorKind.ResourceUnavailable, true, null, SyncFault.Unavailable),
            _ => new Rule("EwsHttpError", InboxErrorKind.InvalidOperation, false, CheckEndpoint),
        };
        var where = location is null ? string.Empty : $", redirecting to {location}";
        if (status == 404 && called is not null)
        {
            where += $", for {RequestUrl.Show(called)}";
        }

        var text = string.IsNullOrWhiteSpace(reason) ? string.Empty : " " + reason;
        return Create(rule, $"{context.Describe()} failed: the server answered HTTP {status}{text}{where}{context.Trailer()}",
            context, "HttpStatus" + status.ToString(CultureInfo.InvariantCulture), null, context.RetryAfter);
    }

    /// <summary>A body that is not a usable EWS answer: HTML, another content type, malformed or truncated XML.</summary>
    public static EwsException InvalidResponse(string problem, ResponseContext context, bool transient = false, Exception? inner = null) =>
        Create(new Rule("EwsInvalidResponse", InboxErrorKind.InvalidData, transient, CheckEndpoint),
            $"{context.Describe()} got an unusable response: {problem}{context.Trailer()}", context, "InvalidResponse", null, null, inner);

    public static EwsException ResponseTooLarge(long limit, ResponseContext context) =>
        Create(new Rule("EwsResponseTooLarge", InboxErrorKind.LimitsExceeded, false,
                "Fetch fewer items per GetItem batch (MIME content is large), or raise MaxResponseBytes."),
            $"{context.Describe()} got a response larger than the {limit:N0}-byte limit; it was not read further{context.Trailer()}",
            context, "ResponseTooLarge", null, null);

    public static EwsException Timeout(TimeSpan timeout, ResponseContext context) =>
        Create(new Rule("EwsTimeout", InboxErrorKind.OperationTimeout, true,
                "If it persists, check the network path to Exchange, or raise the request timeout.", SyncFault.Unavailable),
            $"{context.Describe()} got no complete answer within {timeout.TotalSeconds:0.#} s{context.Trailer()}", context, "Timeout", null, null);

    /// <summary>The connection failed or broke: DNS, refused, reset, or the body stopped short.</summary>
    public static EwsException ConnectionFailed(string responseCode, Uri endpoint, Exception inner, ResponseContext context) =>
        Create(new Rule("EwsConnectionFailed", InboxErrorKind.ConnectionError, true,
                $"Check that this machine can reach {endpoint.Host} (DNS, firewall, proxy).", SyncFault.Unavailable),
            $"{context.Describe()} failed: {Innermost(inner)}{context.Trailer()}", context, responseCode, null, null, inner);

    public static EwsException TlsFailure(Uri endpoint, Exception inner, ResponseContext context) =>
        Create(new Rule("EwsTlsFailure", InboxErrorKind.ConnectionError, false,
                $"Make this machine trust the TLS certificate of {endpoint.Host} (install its issuing CA), or use the host name the certificate was issued for."),
            $"{context.Describe()} failed: the TLS connection to {endpoint.Host} could not be established: {Innermost(inner)}{context.Trailer()}",
            context, "TlsFailure", null, null, inner);

    private static EwsException Create(Rule rule, string message, ResponseContext context, string responseCode,
        IReadOnlyDictionary<string, string>? messageXml, TimeSpan? backOff, Exception? inner = null)
    {
        var mailbox = context.Mailbox?.Value ?? "the mailbox";
        var action = rule.Action is null ? null : string.Format(CultureInfo.InvariantCulture, rule.Action, mailbox);
        return new EwsException(rule.ErrorId, rule.Kind, message, action, context.Mailbox?.Value, responseCode,
            context.HttpStatus, context.RequestId, messageXml, backOff, rule.Transient, inner, rule.Fault);
    }

    private static TimeSpan? BackOffFrom(IReadOnlyDictionary<string, string>? messageXml)
    {
        if (messageXml is null || !messageXml.TryGetValue("BackOffMilliseconds", out var text)
            || !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds < 0)
        {
            return null;
        }

        // Clamp absurd values: a day is already far beyond any retry budget, and the caller parks the mailbox.
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, (long)TimeSpan.FromDays(1).TotalMilliseconds));
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private static Rule Busy() => new("EwsServerBusy", InboxErrorKind.ResourceBusy, true, Throttled, SyncFault.Throttled);

    private static Rule ServerError() => new("EwsServerError", InboxErrorKind.ResourceUnavailable, true, null, SyncFault.Unavailable);

    // A failover, an unavailable database (or a mailbox move) outlasts a run: no SyncFault.Unavailable, so the engine
    // does not park the mailbox for a second visit.
    private static Rule Unavailable() => new("EwsMailboxUnavailable", InboxErrorKind.ResourceUnavailable, true,
        "The database or server holding {0} is unavailable (failover or maintenance); it syncs again when it is back.");

    private static Rule Version() => new("EwsServerVersionUnsupported", InboxErrorKind.InvalidOperation, false,
        "Set the request server version to one this Exchange supports (Exchange2010_SP2 works from Exchange 2010 SP2 on).");

    private static Rule Rejected() => new("EwsRequestRejected", InboxErrorKind.InvalidOperation, false,
        "Exchange rejected the request InboxPS built: please report it with the client-request-id.");

    private sealed class Rule
    {
        public Rule(string errorId, InboxErrorKind kind, bool transient, string? action, SyncFault fault = SyncFault.None)
        {
            ErrorId = errorId;
            Kind = kind;
            Transient = transient;
            Action = action;
            Fault = fault;
        }

        public string ErrorId { get; }
        public InboxErrorKind Kind { get; }
        public bool Transient { get; }
        public string? Action { get; }

        /// <summary>What the failure means to the sync engine, whatever the EWS code.</summary>
        public SyncFault Fault { get; }

        public Rule ForOneItem() => new(ErrorId, Kind, Transient, Action, SyncFault.ItemFailed);
    }
}
