using System.Net;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>The error model: stable ids, kinds, transient or not, and advice an admin can follow.</summary>
public sealed class EwsErrorTests
{
    public static TheoryData<string, string, InboxErrorKind, bool, string> Codes() => new()
    {
        { "ErrorImpersonateUserDenied", "EwsImpersonationDenied", InboxErrorKind.PermissionDenied, false, "-Role ApplicationImpersonation -User" },
        { "ErrorImpersonateUserDenied", "EwsImpersonationDenied", InboxErrorKind.PermissionDenied, false, "RBAC for Applications" },
        { "ErrorNonExistentMailbox", "EwsMailboxNotFound", InboxErrorKind.NotFound, false, "licence" },
        { "ErrorAccessDenied", "EwsAccessDenied", InboxErrorKind.PermissionDenied, false, "EwsEnabled" },
        { "ErrorMailboxMoveInProgress", "EwsMailboxMoveInProgress", InboxErrorKind.ResourceUnavailable, true, "Get-MoveRequest bob@contoso.com" },
        { "ErrorInvalidSyncStateData", "EwsInvalidSyncState", InboxErrorKind.InvalidData, false, "from the start" },
        { "ErrorSyncFolderNotFound", "EwsSyncFolderNotFound", InboxErrorKind.NotFound, false, "folder hierarchy" },
        { "ErrorServerBusy", "EwsServerBusy", InboxErrorKind.ResourceBusy, true, "EWSMaxConcurrency" },
        { "ErrorExceededConnectionCount", "EwsTooManyConcurrentRequests", InboxErrorKind.ResourceBusy, true, "-ThrottleLimit" },
        { "ErrorMailboxStoreUnavailable", "EwsMailboxUnavailable", InboxErrorKind.ResourceUnavailable, true, "unavailable" },
        { "ErrorInvalidServerVersion", "EwsServerVersionUnsupported", InboxErrorKind.InvalidOperation, false, "Exchange2010_SP2" },
        { "ErrorSchemaValidation", "EwsRequestRejected", InboxErrorKind.InvalidOperation, false, "client-request-id" },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Each_response_code_maps_to_its_id_kind_and_advice(string code, string errorId, InboxErrorKind kind, bool transient, string advice)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetFolder", Soap.Error("GetFolder", code, "Server says no.")));
        using var client = TestClients.Create(handler, o => o.Retry.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(new MailboxIdentity("bob@contoso.com"), "inbox", null, default));

        Assert.Equal((errorId, kind, transient, code), (error.ErrorId, error.Kind, error.IsTransient, error.ResponseCode));
        Assert.Contains(advice, error.RecommendedAction);
        Assert.Equal("bob@contoso.com", error.Target);
        Assert.StartsWith($"GetFolder for bob@contoso.com failed with {code}: Server says no. (HTTP 200, client-request-id ", error.Message);
        Assert.Equal(handler.Requests.Single().Header("client-request-id"), error.RequestId);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "EwsForbidden", InboxErrorKind.PermissionDenied, "EwsAllowedAppIDs")]
    [InlineData(HttpStatusCode.NotFound, "EwsEndpointNotFound", InboxErrorKind.NotFound, "/EWS/Exchange.asmx")]
    [InlineData(HttpStatusCode.BadRequest, "EwsHttpError", InboxErrorKind.InvalidOperation, "proxy")]
    public async Task Http_statuses_without_an_ews_answer_are_permanent_with_advice(HttpStatusCode status, string errorId, InboxErrorKind kind, string advice)
    {
        var handler = new ScriptedHandler().Then(_ => Responses.Status(status, "denied"));
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal((errorId, kind, false, (int)status, $"HttpStatus{(int)status}"), (error.ErrorId, error.Kind, error.IsTransient, error.HttpStatus, error.ResponseCode));
        Assert.Contains(advice, error.RecommendedAction);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_names_its_target_without_the_query()
    {
        var handler = new ScriptedHandler().Then(_ =>
        {
            var redirect = Responses.Status(HttpStatusCode.Found);
            redirect.Headers.Location = new Uri("https://login.contoso.com/adfs/ls/?wa=wsignin1.0&wctx=secret-state");
            return redirect;
        });
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsRedirected", 302), (error.ErrorId, error.HttpStatus));
        Assert.Contains("redirecting to https://login.contoso.com/adfs/ls/", error.Message);
        Assert.DoesNotContain("secret-state", error.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_soap_fault_without_detail_uses_the_faultcode()
    {
        var fault = Soap.Envelope(
            $"<s:Fault><faultcode xmlns:a=\"{Soap.TypesNs}\">a:ErrorImpersonateUserDenied</faultcode>" +
            "<faultstring xml:lang=\"en-US\">The account does not have permission to impersonate the requested user.</faultstring></s:Fault>", header: null);
        var handler = new ScriptedHandler().ThenXml(fault, HttpStatusCode.InternalServerError);
        using var client = TestClients.Create(handler);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal(("EwsImpersonationDenied", "ErrorImpersonateUserDenied", 500), (error.ErrorId, error.ResponseCode, error.HttpStatus));
        Assert.Contains("does not have permission to impersonate", error.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_warning_response_is_an_answer_not_an_error()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("SyncFolderItems", Soap.Success("SyncFolderItems",
            "<m:SyncState>s</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange><m:Changes/>", responseClass: "Warning")));
        using var client = TestClients.Create(handler);

        var page = await client.SyncFolderItemsAsync(TestClients.Alice, "inbox", null, 10, null, default);

        Assert.Equal(("s", true), (page.SyncState, page.IncludesLastItemInRange));
    }

    [Fact]
    public async Task Server_version_info_is_read_loosely()
    {
        var header = $"<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"x\" MajorBuildNumber=\"\" Version=\"V2099_01_01\" Flavor=\"new\" xmlns:h=\"{Soap.TypesNs}\"/>";
        var handler = new ScriptedHandler().ThenXml(Soap.Envelope(
            $"<m:GetFolderResponse xmlns:m=\"{Soap.MessagesNs}\" xmlns:t=\"{Soap.TypesNs}\"><m:ResponseMessages>" +
            Soap.Success("GetFolder", "<m:Folders><t:Folder><t:FolderId Id=\"F=\"/></t:Folder></m:Folders>") +
            "</m:ResponseMessages></m:GetFolderResponse>", header));
        using var client = TestClients.Create(handler);

        await client.GetFolderAsync(TestClients.Alice, "inbox", null, default);

        var version = client.ServerVersion!;
        Assert.Equal((15, (int?)null, (int?)null, (int?)null, "V2099_01_01"), (version.MajorVersion, version.MinorVersion, version.MajorBuildNumber, version.MinorBuildNumber, version.Version));
    }
}
