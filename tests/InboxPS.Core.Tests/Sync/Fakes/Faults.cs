namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>Errors as a protocol raises them: its own id for the admin, the neutral fault for the engine.</summary>
public static class Faults
{
    public static InboxException Throttled(string mailbox) =>
        Create("FakeServerBusy", InboxErrorKind.ResourceBusy, SyncFault.Throttled, $"The server throttled {mailbox}.");

    /// <summary>Throttled with the server's word on how long to stay away, as EWS's BackOffMilliseconds or Retry-After.</summary>
    public static InboxException BackOff(string mailbox, TimeSpan backOff) => new BackOffException(mailbox, backOff);

    public static InboxException Unavailable(string mailbox) =>
        Create("FakeServerUnavailable", InboxErrorKind.ConnectionError, SyncFault.Unavailable, $"The server did not answer for {mailbox}.");

    public static InboxException SignIn() =>
        Create("FakeSignInRevoked", InboxErrorKind.AuthenticationError, SyncFault.OrganizationSignIn, "The service account's sign-in was revoked.");

    public static InboxException InvalidSyncState(string what) =>
        Create("FakeInvalidSyncState", InboxErrorKind.InvalidData, SyncFault.InvalidSyncState, $"The sync state of {what} is no longer valid.");

    public static InboxException MailboxNotFound(string mailbox) =>
        Create("FakeMailboxNotFound", InboxErrorKind.NotFound, SyncFault.MailboxNotFound, $"{mailbox} has no mailbox.");

    public static InboxException AccessDenied(string mailbox) =>
        Create("FakeAccessDenied", InboxErrorKind.PermissionDenied, SyncFault.AccessDenied, $"The service account may not open {mailbox}.");

    public static InboxException ItemFailed(string item) =>
        Create("FakeItemFailed", InboxErrorKind.InvalidData, SyncFault.ItemFailed, $"Item {item} could not be read.");

    public static InboxException FolderNotFound(string folder) =>
        Create("FakeFolderNotFound", InboxErrorKind.NotFound, SyncFault.FolderNotFound, $"Folder {folder} does not exist.");

    private static InboxException Create(string errorId, InboxErrorKind kind, SyncFault fault, string message) =>
        new(errorId, kind, message, "Do what the fake says.", fault: fault);

    private sealed class BackOffException : InboxException
    {
        public BackOffException(string mailbox, TimeSpan backOff)
            : base("FakeServerBusy", InboxErrorKind.ResourceBusy, $"The server throttled {mailbox} for {backOff.TotalMilliseconds} ms.",
                "Do what the fake says.", fault: SyncFault.Throttled)
        {
            BackOff = backOff;
        }

        public override TimeSpan? BackOff { get; }
    }
}
