using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync;

public sealed class MailboxInputTests
{
    [Fact]
    public void PrimarySmtpAddressWinsOverUserPrincipalNameAndIdentity()
    {
        var target = new MailboxInput
        {
            Identity = "John Smith",
            PrimarySmtpAddress = " John.Smith@Contoso.com ",
            UserPrincipalName = "jsmith@contoso.onmicrosoft.com",
        }.Resolve();

        Assert.Equal("John.Smith@Contoso.com", target.Address);
        Assert.Equal(MailboxAddressKind.SmtpAddress, target.Kind);
        Assert.Equal("john.smith@contoso.com", target.Key);
    }

    [Fact]
    public void UserPrincipalNameIsImpersonatedAsPrincipalName()
    {
        var target = new MailboxInput { UserPrincipalName = "jsmith@contoso.onmicrosoft.com", ExternalDirectoryObjectId = "6f1d..." }.Resolve();

        Assert.Equal(MailboxAddressKind.PrincipalName, target.Kind);
    }

    [Theory]
    [InlineData("plain@contoso.com", null)]
    [InlineData(null, "identity@contoso.com")]
    public void AddressLikeStringOrIdentityIsUsed(string? text, string? identity)
    {
        var target = new MailboxInput { Text = text, Identity = identity }.Resolve();

        Assert.Equal(text ?? identity, target.Address);
    }

    [Theory]
    [InlineData("not-an-address@")]
    [InlineData("two@@contoso.com")]
    [InlineData("spaces in@contoso.com")]
    [InlineData("nodot@localhost")]
    public void MalformedAddressIsAnErrorNamingTheRecord(string address)
    {
        var error = Assert.Throws<InboxException>(() => new MailboxInput { PrimarySmtpAddress = address }.Resolve());

        Assert.Equal("MailboxAddressInvalid", error.ErrorId);
        Assert.Contains(address.Trim(), error.Message);
        Assert.Equal(InboxErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void AliasOrExchangeGuidOnlyRecordIsUnresolvableWithAdvice()
    {
        var error = Assert.Throws<InboxException>(() =>
            new MailboxInput { ExchangeGuid = "0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10", Alias = "jsmith" }.Resolve());

        Assert.Equal("MailboxIdentityUnresolvable", error.ErrorId);
        Assert.Contains("jsmith", error.Message);
        Assert.Contains("UserPrincipalName", error.RecommendedAction);
    }

    [Fact]
    public void AnEntraObjectIdOnlyRecordResolvesToThatIdForTheProtocolToAddress()
    {
        var target = new MailboxInput { ExternalDirectoryObjectId = " 0B5F7A4E-8C1D-4D7E-9D57-6C3C1F1E2A10 ", Alias = "jsmith" }.Resolve();

        Assert.Equal(("0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10", MailboxAddressKind.DirectoryObjectId), (target.Address, target.Kind));
        Assert.Equal(MailboxAddressKind.DirectoryObjectId,
            MailboxInput.FromRoster(new RosterEntry("contoso", target.Address) { AddressKind = target.Kind }).Resolve().Kind);
    }
}
