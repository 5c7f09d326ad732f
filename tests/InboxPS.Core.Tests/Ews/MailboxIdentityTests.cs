using InboxPS.Core.Ews;

namespace InboxPS.Core.Tests.Ews;

public sealed class MailboxIdentityTests
{
    [Theory]
    [InlineData("alice@contoso.com", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("  alice@contoso.com ", ConnectingSidKind.SmtpAddress)]
    [InlineData("alice.o'neil+sales@corp.contoso.com", ConnectingSidKind.PrincipalName)]
    [InlineData("S-1-5-21-3623811015-3361044348-30300820-1013", ConnectingSidKind.SID)]
    public void Accepts_addresses_and_sids(string value, ConnectingSidKind kind)
    {
        var identity = new MailboxIdentity(value, kind);

        Assert.Equal((value.Trim(), kind, value.Trim()), (identity.Value, identity.Kind, identity.ToString()));
    }

    [Theory]
    [InlineData("", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("alice", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("@contoso.com", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("alice@", ConnectingSidKind.SmtpAddress)]
    [InlineData("a@b@contoso.com", ConnectingSidKind.PrincipalName)]
    [InlineData("alice smith@contoso.com", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("alice@contoso.com\r\nX-Injected: 1", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("<alice@contoso.com>", ConnectingSidKind.PrimarySmtpAddress)]
    [InlineData("alice@contoso.com", ConnectingSidKind.SID)]
    [InlineData("S-1-5-x", ConnectingSidKind.SID)]
    public void Refuses_malformed_values_with_a_clear_error_for_that_record(string value, ConnectingSidKind kind)
    {
        var error = Assert.Throws<InboxException>(() => new MailboxIdentity(value, kind));

        Assert.Equal(("InvalidMailboxIdentity", InboxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(kind.ToString(), error.Message);
    }

    [Fact]
    public void Anchors_on_the_value_except_for_a_sid()
    {
        Assert.Equal("alice@contoso.com", new MailboxIdentity("alice@contoso.com", ConnectingSidKind.PrincipalName).AnchorMailbox);
        Assert.Null(new MailboxIdentity("S-1-5-21-1-2-3-1013", ConnectingSidKind.SID).AnchorMailbox);
    }
}
