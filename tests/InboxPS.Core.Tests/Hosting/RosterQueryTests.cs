using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Hosting;

/// <summary>Get-InboxSyncStatus's selection, over a real store.</summary>
public sealed class RosterQueryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SqliteInboxStore _store;

    public RosterQueryTests()
    {
        _store = SqliteInboxStore.Open(_temp.Combine("inboxps.db"));
        _store.SaveOrganization(new OrganizationProfile("contoso"));
        _store.SaveOrganization(new OrganizationProfile("fabrikam"));
        Activate("contoso", "a@contoso.com");
        _store.RecordSuccess("contoso", "a@contoso.com");
        Activate("contoso", "b@contoso.com");
        _store.RecordFailure("contoso", "b@contoso.com", "EwsMailboxNotFound", "gone", null);
        Activate("contoso", "c@contoso.com");
        _store.Deactivate("contoso", "c@contoso.com", removeData: false);
        _store.RecordFailure("contoso", "never@contoso.com", "MailboxAddressInvalid", "bad", null);
        Activate("fabrikam", "d@fabrikam.com");
    }

    public void Dispose()
    {
        _store.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void By_default_every_active_user_of_every_organization()
    {
        Assert.Equal(new[] { "a@contoso.com", "b@contoso.com", "d@fabrikam.com" }, Mailboxes(new RosterQuery()));
    }

    [Fact]
    public void One_organization_by_name_in_any_case()
    {
        Assert.Equal(new[] { "a@contoso.com", "b@contoso.com" }, Mailboxes(new RosterQuery { Organization = "CONTOSO" }));
    }

    [Fact]
    public void An_unknown_organization_fails_before_any_row_is_read()
    {
        var error = Assert.Throws<InboxException>(() => new RosterQuery { Organization = "nope" }.Run(_store));

        Assert.Equal("OrganizationNotFound", error.ErrorId);
    }

    [Fact]
    public void Failed_includes_failures_of_users_never_activated()
    {
        Assert.Equal(new[] { "b@contoso.com", "never@contoso.com" }, Mailboxes(new RosterQuery { Status = "failed" }));
    }

    [Fact]
    public void Inactive_shows_the_deactivated_users()
    {
        Assert.Equal(new[] { "c@contoso.com" }, Mailboxes(new RosterQuery { Status = RosterStatus.Inactive }));
    }

    [Fact]
    public void IncludeInactive_shows_everyone()
    {
        Assert.Equal(5, Mailboxes(new RosterQuery { IncludeInactive = true }).Count);
    }

    [Fact]
    public void The_mailbox_filter_keeps_what_it_accepts()
    {
        var query = new RosterQuery { MailboxFilter = m => m.StartsWith("b", StringComparison.Ordinal) || m.EndsWith("fabrikam.com", StringComparison.Ordinal) };

        Assert.Equal(new[] { "b@contoso.com", "d@fabrikam.com" }, Mailboxes(query));
    }

    [Fact]
    public void Exact_addresses_are_read_by_key_in_every_organization_in_any_case_keeping_the_other_filters()
    {
        Assert.Equal(new[] { "a@contoso.com", "d@fabrikam.com" },
            Mailboxes(new RosterQuery { Mailboxes = new[] { "A@contoso.com", "c@contoso.com", "d@fabrikam.com", "nobody@contoso.com" } }));
        Assert.Equal(new[] { "c@contoso.com" },
            Mailboxes(new RosterQuery { Mailboxes = new[] { "c@contoso.com", "a@contoso.com" }, Status = RosterStatus.Inactive }));
        Assert.Empty(Mailboxes(new RosterQuery { Organization = "fabrikam", Mailboxes = new[] { "a@contoso.com" } }));
    }

    private List<string> Mailboxes(RosterQuery query) => query.Run(_store).Select(e => e.Mailbox).OrderBy(m => m, StringComparer.Ordinal).ToList();

    private void Activate(string organization, string mailbox) =>
        _store.Activate(organization, new MailboxTarget(mailbox, MailboxAddressKind.SmtpAddress));
}
