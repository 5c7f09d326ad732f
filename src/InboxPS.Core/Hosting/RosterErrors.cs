using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>The error ids about who is on an organization's roster, in one place.</summary>
public static class RosterErrors
{
    public const string NotOnRosterId = "MailboxNotOnRoster";

    public static InboxException NotOnRoster(string organization, MailboxTarget mailbox) => new(NotOnRosterId, InboxErrorKind.NotFound,
        $"{mailbox} is not on the roster of organization '{organization}'.",
        "Run Get-InboxSyncStatus -IncludeInactive to see the users InboxPS knows.", mailbox.Address);
}
