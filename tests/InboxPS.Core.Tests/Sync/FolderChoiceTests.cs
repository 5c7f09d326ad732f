using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync;

public sealed class FolderChoiceTests
{
    [Theory]
    [InlineData("inbox,sentitems", false, "inbox,sentitems")]
    [InlineData("*;inbox,sentitems", true, "inbox,sentitems")]
    [InlineData("*;", true, "")]
    public void The_roster_text_round_trips(string text, bool all, string folders)
    {
        var choice = FolderChoice.Parse(text);
        Assert.Equal((all, folders), (choice.AllMailFolders, string.Join(",", choice.WellKnownFolders)));
        Assert.Equal(text, choice.Serialize());
    }

    [Fact]
    public void Names_are_kept_once_in_lower_case_and_a_user_stored_before_choices_gets_the_default()
    {
        Assert.Equal("inbox,drafts", new FolderChoice(new[] { "Inbox", "inbox", " Drafts " }, false).Serialize());
        Assert.Equal(FolderChoice.Default, FolderChoice.Parse(null));
        Assert.Equal("All mail folders", new FolderChoice(new[] { "inbox" }, true).ToString());
    }
}
