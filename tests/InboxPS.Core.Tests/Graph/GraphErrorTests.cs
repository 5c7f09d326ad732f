using InboxPS.Core.Graph;

namespace InboxPS.Core.Tests.Graph;

/// <summary>The catalogue: Graph's code and HTTP status (and what the request named) to ErrorId, fault and advice.</summary>
public sealed class GraphErrorTests
{
    private const string Mailbox = "alice@contoso.com";

    public static TheoryData<int, string?, GraphRequestScopeName, string, SyncFault, InboxErrorKind, bool> Cases() => new()
    {
        { 403, "ErrorAccessDenied", GraphRequestScopeName.Folder, GraphErrorIds.AccessDenied, SyncFault.AccessDenied, InboxErrorKind.PermissionDenied, false },
        { 403, null, GraphRequestScopeName.Mailbox, GraphErrorIds.AccessDenied, SyncFault.AccessDenied, InboxErrorKind.PermissionDenied, false },
        { 404, "MailboxNotEnabledForRESTAPI", GraphRequestScopeName.Folder, GraphErrorIds.MailboxNotEnabled, SyncFault.MailboxNotFound, InboxErrorKind.NotFound, false },
        { 404, "ResourceNotFound", GraphRequestScopeName.Folder, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound, InboxErrorKind.NotFound, false },
        { 404, "ResourceNotFound", GraphRequestScopeName.Item, GraphErrorIds.ItemNotFound, SyncFault.ItemFailed, InboxErrorKind.NotFound, false },
        { 404, "Request_ResourceNotFound", GraphRequestScopeName.Mailbox, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound, InboxErrorKind.NotFound, false },
        { 404, "ErrorInvalidUser", GraphRequestScopeName.Mailbox, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound, InboxErrorKind.NotFound, false },
        { 404, "ErrorItemNotFound", GraphRequestScopeName.Item, GraphErrorIds.ItemNotFound, SyncFault.ItemFailed, InboxErrorKind.NotFound, false },
        { 404, "ErrorItemNotFound", GraphRequestScopeName.Folder, GraphErrorIds.FolderNotFound, SyncFault.FolderNotFound, InboxErrorKind.NotFound, false },
        { 404, "ErrorSyncFolderNotFound", GraphRequestScopeName.Folder, GraphErrorIds.FolderNotFound, SyncFault.FolderNotFound, InboxErrorKind.NotFound, false },
        { 404, null, GraphRequestScopeName.Folder, GraphErrorIds.FolderNotFound, SyncFault.FolderNotFound, InboxErrorKind.NotFound, false },
        { 404, null, GraphRequestScopeName.Mailbox, GraphErrorIds.MailboxNotFound, SyncFault.MailboxNotFound, InboxErrorKind.NotFound, false },
        { 410, null, GraphRequestScopeName.Folder, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState, InboxErrorKind.InvalidData, false },
        { 410, "SyncStateNotFound", GraphRequestScopeName.Folder, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState, InboxErrorKind.InvalidData, false },
        { 400, "syncStateNotFound", GraphRequestScopeName.Folder, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState, InboxErrorKind.InvalidData, false },
        { 400, "resyncRequired", GraphRequestScopeName.Mailbox, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState, InboxErrorKind.InvalidData, false },
        { 400, "SyncStateInvalid", GraphRequestScopeName.Folder, GraphErrorIds.InvalidSyncState, SyncFault.InvalidSyncState, InboxErrorKind.InvalidData, false },
        { 429, "ApplicationThrottled", GraphRequestScopeName.Folder, GraphErrorIds.Throttled, SyncFault.Throttled, InboxErrorKind.ResourceBusy, true },
        { 429, null, GraphRequestScopeName.Item, GraphErrorIds.Throttled, SyncFault.Throttled, InboxErrorKind.ResourceBusy, true },
        { 503, "ServiceUnavailable", GraphRequestScopeName.Folder, GraphErrorIds.ServiceUnavailable, SyncFault.Throttled, InboxErrorKind.ResourceBusy, true },
        { 504, null, GraphRequestScopeName.Folder, GraphErrorIds.ServiceUnavailable, SyncFault.Unavailable, InboxErrorKind.ResourceUnavailable, true },
        { 500, "generalException", GraphRequestScopeName.Folder, GraphErrorIds.ServiceUnavailable, SyncFault.Unavailable, InboxErrorKind.ResourceUnavailable, true },
        { 401, "InvalidAuthenticationToken", GraphRequestScopeName.Folder, GraphErrorIds.Unauthorized, SyncFault.OrganizationSignIn, InboxErrorKind.AuthenticationError, false },
        { 400, "BadRequest", GraphRequestScopeName.Folder, GraphErrorIds.RequestFailed, SyncFault.None, InboxErrorKind.InvalidOperation, false },
        { 302, null, GraphRequestScopeName.Folder, GraphErrorIds.InvalidResponse, SyncFault.None, InboxErrorKind.InvalidOperation, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_code_and_status_has_one_meaning(int status, string? code, GraphRequestScopeName scope, string errorId, SyncFault fault,
        InboxErrorKind kind, bool transient)
    {
        var error = GraphErrors.FromResponse(code, "whatever Microsoft wrote", Context(scope, status));

        Assert.Equal((errorId, fault, kind, transient), (error.ErrorId, error.Fault, error.Kind, error.IsTransient));
        Assert.Equal((status, code ?? "HttpStatus" + status), (error.HttpStatus, error.Code));
        Assert.Contains(Mailbox, error.Message);
        Assert.Equal(Mailbox, error.Target);
    }

    [Fact]
    public void The_message_text_never_decides_the_meaning()
    {
        var policy = GraphErrors.FromResponse("ErrorAccessDenied", "Access to OData is disabled.", Context(GraphRequestScopeName.Folder, 403));
        var other = GraphErrors.FromResponse("ErrorAccessDenied", "Access is denied. Check credentials and try again.", Context(GraphRequestScopeName.Folder, 403));
        var misleading = GraphErrors.FromResponse("BadRequest", "SyncStateNotFound: mailbox not found", Context(GraphRequestScopeName.Folder, 400));

        Assert.Equal((policy.ErrorId, policy.RecommendedAction), (other.ErrorId, other.RecommendedAction));
        Assert.Equal(GraphErrorIds.RequestFailed, misleading.ErrorId);
    }

    [Fact]
    public void Access_denied_says_what_to_grant_and_that_tenant_wide_consent_overrides_scoping()
    {
        var action = GraphErrors.FromResponse("ErrorAccessDenied", null, Context(GraphRequestScopeName.Folder, 403)).RecommendedAction!;

        Assert.Contains("New-ManagementRoleAssignment -App <app id> -Role \"Application Mail.Read\" -CustomResourceScope <scope>", action);
        Assert.Contains("application access policy", action);
        Assert.Contains("tenant-wide Mail.Read consent", action);
        Assert.Contains(Mailbox, action);
    }

    [Fact]
    public void A_mailbox_without_Exchange_Online_is_told_apart_from_an_unknown_user()
    {
        var notEnabled = GraphErrors.FromResponse("MailboxNotEnabledForRESTAPI", null, Context(GraphRequestScopeName.Folder, 404));
        var unknown = GraphErrors.FromResponse("ErrorInvalidUser", null, Context(GraphRequestScopeName.Folder, 404));

        Assert.Contains("licence", notEnabled.RecommendedAction);
        Assert.Contains("on-premises", notEnabled.RecommendedAction);
        Assert.Contains("spelled right", unknown.RecommendedAction);
    }

    [Fact]
    public void The_back_off_travels_with_a_throttled_error_and_the_server_text_is_one_bounded_line()
    {
        var context = Context(GraphRequestScopeName.Folder, 429);
        context.RetryAfter = TimeSpan.FromSeconds(2.128);

        var error = GraphErrors.FromResponse("ApplicationThrottled", "Application is over its MailboxConcurrency limit.\r\n" + new string('x', 5000), context);

        Assert.Equal(TimeSpan.FromSeconds(2.128), error.BackOff);
        Assert.DoesNotContain("\n", error.Message);
        Assert.True(error.Message.Length < 500);
        Assert.Contains(context.RequestId, error.Message);
    }

    [Fact]
    public void Codes_are_matched_whatever_their_case()
    {
        Assert.Equal(GraphErrorIds.InvalidSyncState, GraphErrors.FromResponse("SYNCSTATENOTFOUND", null, Context(GraphRequestScopeName.Folder, 400)).ErrorId);
        Assert.Equal(GraphErrorIds.MailboxNotEnabled, GraphErrors.FromResponse("mailboxnotenabledforrestapi", null, Context(GraphRequestScopeName.Folder, 404)).ErrorId);
    }

    [Fact]
    public void A_404_names_the_url_it_called_without_its_query_or_user_information()
    {
        var called = new Uri("https://user:pw@graph.contoso.test/v1.0/users/alice%40contoso.com/mailFolders/inbox/messages/delta?$deltatoken=secret-ish");

        var notFound = GraphErrors.FromResponse("ResourceNotFound", "Resource could not be discovered.", Context(GraphRequestScopeName.Folder, 404), called);
        var denied = GraphErrors.FromResponse("ErrorAccessDenied", null, Context(GraphRequestScopeName.Folder, 403), called);

        Assert.Contains("https://graph.contoso.test/v1.0/users/alice%40contoso.com/mailFolders/inbox/messages/delta", notFound.Message);
        Assert.DoesNotContain("deltatoken", notFound.Message);
        Assert.DoesNotContain("pw@", notFound.Message);
        Assert.DoesNotContain("graph.contoso.test", denied.Message);
    }

    private static GraphRequestContext Context(GraphRequestScopeName scope, int status) =>
        new("MessagesDelta", Mailbox, (GraphRequestScope)scope) { HttpStatus = status };
}

/// <summary>The internal GraphRequestScope, as public theory data can name it.</summary>
public enum GraphRequestScopeName
{
    Mailbox = GraphRequestScope.Mailbox,
    Folder = GraphRequestScope.Folder,
    Item = GraphRequestScope.Item,
}
