using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace InboxPS.Core.Graph;

/// <summary>
/// The one place that turns Graph's error.code and HTTP status (or a transport failure) into a <see cref="GraphException"/>:
/// stable ErrorId, kind, <see cref="SyncFault"/>, transient or not, and the admin's next step ("{0}" is the mailbox).
/// Branches on the code, never on the message text, which Microsoft rewords freely.
/// </summary>
internal static class GraphErrors
{
    private const string AccessDeniedAction =
        "Let the app read {0}. With RBAC for Applications: New-ManagementRoleAssignment -App <app id> -Role \"Application Mail.Read\" " +
        "-CustomResourceScope <scope> with a scope whose filter includes {0} (check: Test-ServicePrincipalAuthorization -Identity <app id> " +
        "-Resource {0}). With a legacy application access policy: add {0} to the policy's group (check: Test-ApplicationAccessPolicy " +
        "-Identity {0} -AppId <app id>). A tenant-wide Mail.Read consent in Entra ID overrides this scoping until it is removed; " +
        "changes can take up to two hours to apply.";

    private const string MailboxNotEnabledAction =
        "{0} has no Exchange Online mailbox Graph can reach: a guest, an inactive, soft-deleted or on-premises mailbox, or a user " +
        "without a licence that includes Exchange Online. Check Get-EXOMailbox {0} and the user's licences; sync on-premises mailboxes over EWS.";

    private const string MailboxNotFoundAction =
        "Check that {0} is spelled right and is a user with an Exchange Online mailbox (Get-EXOMailbox {0}); a new mailbox can " +
        "take a while to appear to Graph.";

    private const string ThrottledAction =
        "Graph is throttling this mailbox (per app and mailbox: 4 concurrent requests, 10,000 requests per 10 minutes) and InboxPS " +
        "waits the back-off it asks for. If it persists, lower -ThrottleLimit or make sure no other tool uses the same app on these mailboxes.";

    private const string UnavailableAction = "Graph or Exchange Online is temporarily unavailable; {0} syncs again on the next run.";

    private const string UnauthorizedAction =
        "Reconnect the organization (Connect-InboxImpersonation): Graph refused a freshly issued token. Check that the app has the " +
        "Mail.Read application permission with admin consent (or an RBAC for Applications role) and that the organization's " +
        "environment matches the cloud of its tenant.";

    private static readonly Rule s_accessDenied = new(GraphErrorIds.AccessDenied, InboxErrorKind.PermissionDenied, SyncFault.AccessDenied, false, AccessDeniedAction);
    private static readonly Rule s_mailboxNotFound = new(GraphErrorIds.MailboxNotFound, InboxErrorKind.NotFound, SyncFault.MailboxNotFound, false, MailboxNotFoundAction);
    private static readonly Rule s_itemNotFound = new(GraphErrorIds.ItemNotFound, InboxErrorKind.NotFound, SyncFault.ItemFailed, false, null);
    private static readonly Rule s_folderNotFound = new(GraphErrorIds.FolderNotFound, InboxErrorKind.NotFound, SyncFault.FolderNotFound, false,
        "None: the folder was deleted or moved, and InboxPS reads the folder hierarchy again.");
    private static readonly Rule s_invalidSyncState = new(GraphErrorIds.InvalidSyncState, InboxErrorKind.InvalidData, SyncFault.InvalidSyncState, false,
        "None: InboxPS drops the folder's sync state and synchronizes the folder again from the start.");
    private static readonly Rule s_throttled = new(GraphErrorIds.Throttled, InboxErrorKind.ResourceBusy, SyncFault.Throttled, true, ThrottledAction);
    private static readonly Rule s_busy = new(GraphErrorIds.ServiceUnavailable, InboxErrorKind.ResourceBusy, SyncFault.Throttled, true, UnavailableAction);
    private static readonly Rule s_unavailable = new(GraphErrorIds.ServiceUnavailable, InboxErrorKind.ResourceUnavailable, SyncFault.Unavailable, true, UnavailableAction);
    private static readonly Rule s_unauthorized = new(GraphErrorIds.Unauthorized, InboxErrorKind.AuthenticationError, SyncFault.OrganizationSignIn, false, UnauthorizedAction);
    private static readonly Rule s_redirected = new(GraphErrorIds.InvalidResponse, InboxErrorKind.InvalidOperation, SyncFault.None, false,
        "Something between this machine and Microsoft Graph redirected the request (a proxy or sign-in page); InboxPS does not follow redirects with a token. Check the Graph endpoint and proxy settings.");
    private static readonly Rule s_requestFailed = new(GraphErrorIds.RequestFailed, InboxErrorKind.InvalidOperation, SyncFault.None, false,
        "Graph refused the request InboxPS built: please report it with the client-request-id.");

    // Graph's codes differ in case between services (syncStateNotFound, SyncStateNotFound): compare without it.
    private static readonly Dictionary<string, Func<GraphRequestScope, Rule>> s_byCode = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ErrorAccessDenied"] = _ => s_accessDenied,
        ["AccessDenied"] = _ => s_accessDenied,
        ["Authorization_RequestDenied"] = _ => s_accessDenied,
        ["MailboxNotEnabledForRESTAPI"] = _ => new Rule(GraphErrorIds.MailboxNotEnabled, InboxErrorKind.NotFound, SyncFault.MailboxNotFound, false, MailboxNotEnabledAction),
        ["ResourceNotFound"] = scope => scope == GraphRequestScope.Item ? s_itemNotFound : s_mailboxNotFound,
        ["Request_ResourceNotFound"] = _ => s_mailboxNotFound,
        ["ErrorInvalidUser"] = _ => s_mailboxNotFound,
        ["ErrorNonExistentMailbox"] = _ => s_mailboxNotFound,
        ["ErrorItemNotFound"] = NotFoundIn,
        ["ErrorFolderNotFound"] = _ => s_folderNotFound,
        ["ErrorSyncFolderNotFound"] = _ => s_folderNotFound,
        ["SyncStateNotFound"] = _ => s_invalidSyncState,
        ["SyncStateInvalid"] = _ => s_invalidSyncState,
        ["ResyncRequired"] = _ => s_invalidSyncState,
        ["ErrorInvalidSyncStateData"] = _ => s_invalidSyncState,
        ["ApplicationThrottled"] = _ => s_throttled,
        ["TooManyRequests"] = _ => s_throttled,
        ["ErrorServerBusy"] = _ => s_throttled,
    };

    /// <summary>The codes the catalogue knows by name.</summary>
    internal static IEnumerable<string> KnownCodes => s_byCode.Keys;

    /// <summary>An answer other than success (its status in the context), with Graph's error code when its body had one.</summary>
    /// <param name="called">The URL the request went to: a 404 names it (a wrong Graph URL, or an id that is gone).</param>
    public static GraphException FromResponse(string? code, string? serverMessage, GraphRequestContext context, Uri? called = null)
    {
        var status = context.HttpStatus ?? 0;
        var rule = status switch
        {
            // A status whose meaning does not depend on the code: the sync state is gone, or the server asks to wait.
            410 => s_invalidSyncState,
            429 => s_throttled,
            401 => s_unauthorized,
            _ when code is not null && s_byCode.TryGetValue(code, out var byCode) => byCode(context.Scope),
            403 => s_accessDenied,
            404 => NotFoundIn(context.Scope),
            503 => s_busy,
            >= 300 and < 400 => s_redirected,
            >= 500 => s_unavailable,
            _ => s_requestFailed,
        };
        var said = code is null ? string.Empty : " " + code;
        var text = Clean(serverMessage) is { Length: > 0 } clean ? ": " + clean : string.Empty;
        if (status == 404 && called is not null)
        {
            text += $" (for {RequestUrl.Show(called)})";
        }

        return Create(rule, $"{context.Describe()} failed: HTTP {status.ToString(CultureInfo.InvariantCulture)}{said}{text}{context.Trailer()}",
            context, code ?? "HttpStatus" + status.ToString(CultureInfo.InvariantCulture), context.RetryAfter);
    }

    /// <summary>A body that is not the answer asked for: another content type, malformed or misshapen JSON, a foreign link.</summary>
    public static GraphException InvalidResponse(string problem, GraphRequestContext context, bool transient = false, Exception? inner = null) =>
        Create(new Rule(GraphErrorIds.InvalidResponse, InboxErrorKind.InvalidData, transient ? SyncFault.Unavailable : SyncFault.None, transient,
                "Check the Graph endpoint and any proxy between this machine and Microsoft: something other than Graph answered, or the answer was damaged."),
            $"{context.Describe()} got an unusable response: {problem}{context.Trailer()}", context, "InvalidResponse", null, inner);

    /// <summary>A stored sync state that is no Graph link of this endpoint (an EWS state, another cloud's link).</summary>
    public static GraphException StateNotUsable(string problem, GraphRequestContext context) =>
        Create(s_invalidSyncState, $"{context.Describe()} cannot continue from the stored sync state: {problem}{context.Trailer()}",
            context, "StateNotUsable", null);

    public static GraphException ResponseTooLarge(long limit, GraphRequestContext context) =>
        Create(new Rule(GraphErrorIds.ResponseTooLarge, InboxErrorKind.LimitsExceeded,
                context.Scope == GraphRequestScope.Item ? SyncFault.ItemFailed : SyncFault.None, false,
                context.Scope == GraphRequestScope.Item
                    ? "The message is larger than the MIME size limit; raise MaxMimeBytes to export it."
                    : "Ask for smaller pages, or raise MaxResponseBytes."),
            $"{context.Describe()} got a response larger than the {limit.ToString("N0", CultureInfo.InvariantCulture)}-byte limit; it was not read further{context.Trailer()}",
            context, "ResponseTooLarge", null);

    /// <summary>Not sent: another request of the mailbox got a Retry-After that has <paramref name="left"/> to run, longer
    /// than a call waits itself; the engine parks the mailbox until it ends.</summary>
    public static GraphException HeldOff(TimeSpan left, GraphRequestContext context) =>
        Create(s_throttled, $"{context.Describe()} was not sent: the mailbox is in a Graph Retry-After for another " +
                            $"{left.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{context.Trailer()}",
            context, "RetryAfterPending", left);

    public static GraphException Timeout(TimeSpan timeout, GraphRequestContext context) =>
        Create(new Rule(GraphErrorIds.Timeout, InboxErrorKind.OperationTimeout, SyncFault.Unavailable, true,
                "If it persists, check the network path to Microsoft Graph, or raise the request timeout."),
            $"{context.Describe()} got no complete answer within {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{context.Trailer()}",
            context, "Timeout", null);

    public static GraphException ConnectionFailed(Uri root, Exception inner, GraphRequestContext context) =>
        Create(new Rule(GraphErrorIds.ConnectionFailed, InboxErrorKind.ConnectionError, SyncFault.Unavailable, true,
                $"Check that this machine can reach {root.Host} (DNS, firewall, proxy)."),
            $"{context.Describe()} failed: {Clean(Innermost(inner).Message)}{context.Trailer()}", context, "ConnectionFailed", null, inner);

    public static GraphException TlsFailure(Uri root, Exception inner, GraphRequestContext context) =>
        Create(new Rule(GraphErrorIds.TlsFailure, InboxErrorKind.ConnectionError, SyncFault.None, false,
                $"Make this machine trust the TLS certificate of {root.Host} (install its issuing CA), or check for a proxy that intercepts TLS."),
            $"{context.Describe()} failed: the TLS connection to {root.Host} could not be established: {Clean(Innermost(inner).Message)}{context.Trailer()}",
            context, "TlsFailure", null, inner);

    private static Rule NotFoundIn(GraphRequestScope scope) => scope switch
    {
        GraphRequestScope.Item => s_itemNotFound,
        GraphRequestScope.Folder => s_folderNotFound,
        _ => s_mailboxNotFound,
    };

    private static GraphException Create(Rule rule, string message, GraphRequestContext context, string code, TimeSpan? backOff,
        Exception? inner = null)
    {
        var action = rule.Action is null ? null : string.Format(CultureInfo.InvariantCulture, rule.Action, context.Mailbox);
        return new GraphException(rule.ErrorId, rule.Kind, message, action, context.Mailbox, rule.Fault, code, context.HttpStatus,
            context.RequestId, backOff, rule.Transient, inner);
    }

    // The server's words, for the admin to read: one line, bounded, without control characters a hostile body could use.
    private static string Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text!.Length, 300));
        foreach (var c in text)
        {
            if (builder.Length == 300)
            {
                builder.Append("...");
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private sealed class Rule
    {
        public Rule(string errorId, InboxErrorKind kind, SyncFault fault, bool transient, string? action)
        {
            ErrorId = errorId;
            Kind = kind;
            Fault = fault;
            Transient = transient;
            Action = action;
        }

        public string ErrorId { get; }
        public InboxErrorKind Kind { get; }
        public SyncFault Fault { get; }
        public bool Transient { get; }
        public string? Action { get; }
    }
}
