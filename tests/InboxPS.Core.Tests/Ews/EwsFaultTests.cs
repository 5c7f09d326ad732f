using System.Net;
using InboxPS.Core.Ews;
using InboxPS.Core.Tests.Ews.Support;

namespace InboxPS.Core.Tests.Ews;

/// <summary>EWS codes mapped onto the protocol-neutral faults the engine reacts to; the error ids stay EWS's own.</summary>
public sealed class EwsFaultTests
{
    public static TheoryData<string, string, SyncFault> Codes() => new()
    {
        { "ErrorInvalidSyncStateData", "EwsInvalidSyncState", SyncFault.InvalidSyncState },
        { "ErrorSyncFolderNotFound", "EwsSyncFolderNotFound", SyncFault.FolderNotFound },
        { "ErrorServerBusy", "EwsServerBusy", SyncFault.Throttled },
        { "ErrorTooManyObjectsOpened", "EwsServerBusy", SyncFault.Throttled },
        { "ErrorExceededConnectionCount", "EwsTooManyConcurrentRequests", SyncFault.Throttled },
        { "ErrorInternalServerTransientError", "EwsServerError", SyncFault.Unavailable },
        { "ErrorTimeoutExpired", "EwsServerTimeout", SyncFault.Unavailable },
        { "ErrorNonExistentMailbox", "EwsMailboxNotFound", SyncFault.MailboxNotFound },
        { "ErrorImpersonationFailed", "EwsImpersonationFailed", SyncFault.MailboxNotFound },
        { "ErrorImpersonateUserDenied", "EwsImpersonationDenied", SyncFault.AccessDenied },
        { "ErrorAccessDenied", "EwsAccessDenied", SyncFault.AccessDenied },
        { "ErrorItemNotFound", "EwsItemNotFound", SyncFault.ItemFailed },
        { "ErrorItemCorrupt", "EwsRequestFailed", SyncFault.ItemFailed },

        // Outlast a run (a move, a failover): no fault, so the engine does not park the mailbox for a second visit.
        { "ErrorMailboxMoveInProgress", "EwsMailboxMoveInProgress", SyncFault.None },
        { "ErrorMailboxFailover", "EwsMailboxUnavailable", SyncFault.None },
        { "ErrorSchemaValidation", "EwsRequestRejected", SyncFault.None },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task A_response_code_carries_the_fault_the_engine_reacts_to(string code, string errorId, SyncFault fault)
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetFolder", Soap.Error("GetFolder", code, "Server says no.")));
        using var client = TestClients.Create(handler, o => o.Retry.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal((errorId, fault), (error.ErrorId, error.Fault));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "EwsForbidden", SyncFault.AccessDenied)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "EwsServerBusy", SyncFault.Throttled)]
    [InlineData(HttpStatusCode.TooManyRequests, "EwsServerBusy", SyncFault.Throttled)]
    [InlineData(HttpStatusCode.BadGateway, "EwsServiceUnavailable", SyncFault.Unavailable)]
    [InlineData(HttpStatusCode.NotFound, "EwsEndpointNotFound", SyncFault.None)]
    public async Task An_http_status_carries_the_fault_the_engine_reacts_to(HttpStatusCode status, string errorId, SyncFault fault)
    {
        var handler = new ScriptedHandler().Then(_ => Responses.Status(status));
        using var client = TestClients.Create(handler, o => o.Retry.MaxAttempts = 1);

        var error = await Assert.ThrowsAsync<EwsException>(() => client.GetFolderAsync(TestClients.Alice, "inbox", null, default));

        Assert.Equal((errorId, fault), (error.ErrorId, error.Fault));
    }

    [Fact]
    public async Task One_broken_item_of_a_batch_is_an_item_failure()
    {
        var handler = new ScriptedHandler().ThenXml(Soap.Response("GetItem",
            Soap.Error("GetItem", "ErrorMimeContentConversionFailed", "MIME conversion failed.")));
        using var client = TestClients.Create(handler);

        var batch = Assert.IsType<EwsItemBatch>(await client.GetItemsAsync(TestClients.Alice, new[] { "D=" }, true, null, default));

        Assert.Equal(SyncFault.ItemFailed, Assert.Single(batch.FailedItems).Error.Fault);
    }

    [Fact]
    public void A_sign_in_that_needs_the_admin_again_stops_the_organization()
    {
        var error = InboxPS.Core.Auth.SignInErrors.Reconnect("contoso", "The refresh token was revoked.");

        Assert.Equal(("ReconnectServiceAccount", SyncFault.OrganizationSignIn), (error.ErrorId, error.Fault));
    }
}
