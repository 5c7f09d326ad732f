using InboxPS.Core.Ews;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Ews.Support;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: addresses Exchange accepts work; invisible characters are a bad-input error before any request.</summary>
public sealed class MailboxAddressTests
{
    [Theory]
    [InlineData("alice\u200F@contoso.com", "U+200F")]
    [InlineData("\u202Eexample@contoso.com", "U+202E")]
    [InlineData("alice@contoso.com\0", "U+0000")]
    [InlineData("al\u200Bice@contoso.com", "U+200B")]
    [InlineData("alice@cont\uFEFFoso.com", "U+FEFF")]
    public void An_invisible_or_control_character_is_a_bad_input_error_that_names_it(string address, string named)
    {
        foreach (var input in new[] { new MailboxInput { PrimarySmtpAddress = address }, new MailboxInput { UserPrincipalName = address }, new MailboxInput { Text = address } })
        {
            var error = Assert.Throws<InboxException>(() => input.Resolve());

            Assert.Equal(("MailboxAddressInvalid", InboxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
            Assert.Contains(named, error.Message);

            // The message shows the character by its code point, never the character itself (a right-to-left override
            // would garble the admin's console).
            Assert.DoesNotContain(address.Single(c => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Control), error.Message);
        }
    }

    [Fact]
    public async Task A_record_with_an_invisible_character_fails_alone_without_any_request()
    {
        using var harness = new EngineHarness();
        harness.Protocol.Add("bob@contoso.com", items: 1);

        var run = await harness.SyncAsync(new[] { "\u202Ebob@contoso.com", "bob@contoso.com" });

        Assert.Equal(2, run.Synced.Count);
        Assert.Equal("MailboxAddressInvalid", run.Synced.Single(r => r.Status == SyncStatus.Failed).ErrorId);
        Assert.Equal(new[] { "bob@contoso.com" }, harness.Protocol.Opened);
    }

    [Theory]
    [InlineData("user@bücher.example", "user@xn--bcher-kva.example")]
    [InlineData("jose@dømæne.contoso.com", "jose@xn--dmne-woa0i.contoso.com")]
    public async Task An_idn_domain_is_a_valid_mailbox_and_is_anchored_in_its_ascii_form(string address, string anchor)
    {
        var target = new MailboxInput { PrimarySmtpAddress = address }.Resolve();
        var handler = new ScriptedHandler().ThenXml(Soap.Inbox());
        using var client = TestClients.Create(handler);

        await new EwsMailboxProtocol(client).Open(target).GetWellKnownFolderAsync("inbox", default);

        Assert.Equal(address, target.Address);
        Assert.Equal(anchor, handler.Requests[0].Header("X-AnchorMailbox"));
    }

    [Fact]
    public void An_accented_local_part_is_a_valid_address_that_ews_refuses_before_any_request_with_what_to_use_instead()
    {
        var target = new MailboxInput { PrimarySmtpAddress = "josé@contoso.com" }.Resolve();
        var handler = new ScriptedHandler();
        using var client = TestClients.Create(handler);

        var error = Assert.Throws<InboxException>(() => new EwsMailboxProtocol(client).Open(target));

        Assert.Equal(("MailboxAddressNotAscii", InboxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains("josé@contoso.com", error.Message);
        Assert.Contains("UserPrincipalName", error.RecommendedAction);
        Assert.Empty(handler.Requests);
    }
}
