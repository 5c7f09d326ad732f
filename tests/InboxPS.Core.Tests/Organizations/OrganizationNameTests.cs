using InboxPS.Core.Organizations;

namespace InboxPS.Core.Tests.Organizations;

/// <summary>Issue 17: organization names refuse control and bidirectional-override characters and absurd lengths.</summary>
public sealed class OrganizationNameTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("contoso\u202Egro", "U+202E")]
    [InlineData("contoso\u200F", "U+200F")]
    [InlineData("con\0toso", "U+0000")]
    [InlineData("con\ntoso", "U+000A")]
    [InlineData("con\u2066toso", "U+2066")]
    public void A_new_organization_named_with_an_invisible_character_is_refused_naming_it(string name, string named)
    {
        var error = Assert.Throws<InboxException>(() =>
            AccessTypePlanner.Plan(null, new AccessTypeRequest(name, AccessType.OAuthAppOnly), s_now));

        Assert.Equal(("OrganizationNameInvalid", InboxErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(named, error.Message);
        Assert.DoesNotContain(name.Trim(), error.Message);
    }

    [Fact]
    public void An_absurdly_long_name_is_refused_with_the_limit()
    {
        var error = Assert.Throws<InboxException>(() =>
            AccessTypePlanner.Plan(null, new AccessTypeRequest(new string('c', 65), AccessType.OAuthAppOnly), s_now));

        Assert.Equal("OrganizationNameInvalid", error.ErrorId);
        Assert.Contains("64", error.Message);
    }

    [Theory]
    [InlineData("contoso")]
    [InlineData("Contoso Europe (prod)")]
    [InlineData("Société Générale")]
    [InlineData("東京支社")]
    public void Ordinary_names_in_any_script_are_accepted(string name)
    {
        Assert.Equal(name, AccessTypePlanner.Plan(null, new AccessTypeRequest(name, AccessType.OAuthAppOnly), s_now).Profile.Name);
    }
}
