using InboxPS.Core.Hosting;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Export names an admin recognises, safe on Windows, macOS and Linux (issue 18).</summary>
public sealed class PortableNameTests
{
    [Theory]
    [InlineData("Inbox")]
    [InlineData("user@contoso.com")]
    [InlineData("Projets 2026 – Été")]
    public void AReadableSafeNameIsKeptAsItIs(string name) => Assert.Equal(name, PortableName.For(name));

    [Theory]
    [InlineData("a:b", "a_b~")]
    [InlineData("Q3 <draft> \"final\"?", "Q3 _draft_ _final__~")]
    [InlineData("back\\slash/and|pipe*", "back_slash_and_pipe_~")]
    [InlineData("tab\there", "tab_here~")]
    [InlineData("Trailing dots...", "Trailing dots~")]
    [InlineData("  spaces  ", "spaces~")]
    [InlineData("CON", "_CON~")]
    [InlineData("nul.txt", "_nul.txt~")]
    [InlineData("Com1", "_Com1~")]
    [InlineData("..", "_~")]
    [InlineData("", "_~")]
    public void AnUnsafeNameIsCleanedAndMarkedWithAHashOfTheOriginal(string name, string start)
    {
        var safe = PortableName.For(name);

        Assert.StartsWith(start, safe);
        Assert.Equal(start.Length + 6, safe.Length);
        Assert.Equal(safe, PortableName.For(name));
        Assert.DoesNotContain(safe, c => c < 32 || "<>:\"/\\|?*".Contains(c));
    }

    [Fact]
    public void NamesThatCleanUpAlikeNeverMeet() =>
        Assert.NotEqual(PortableName.For("a:b"), PortableName.For("a?b"));

    [Fact]
    public void ALongNameIsCutWithoutSplittingACharacter()
    {
        var name = new string('x', PortableName.MaxLength - 9) + "😀😀😀😀😀";

        var safe = PortableName.For(name);

        Assert.True(safe.Length <= PortableName.MaxLength);
        Assert.False(char.IsHighSurrogate(safe[safe.IndexOf('~') - 1]));
    }

    [Fact]
    public void SiblingsThatMeetCaseInsensitivelyEachGetAHashOfTheirKey()
    {
        var names = PortableName.ForSiblings(new Dictionary<string, string?>
        {
            ["id1"] = "Projects", ["id2"] = "projects", ["id3"] = "Archive", ["id4"] = null,
        });

        Assert.Equal("Archive", names["id3"]);
        Assert.StartsWith("Projects~", names["id1"]);
        Assert.StartsWith("projects~", names["id2"]);
        Assert.NotEqual(names["id1"].ToLowerInvariant(), names["id2"].ToLowerInvariant());
        Assert.StartsWith("_~", names["id4"]);
    }

    [Theory]
    [InlineData("*@fabrikam.com", "%@fabrikam.com")]
    [InlineData("Re: ?unch", "Re: _unch")]
    [InlineData("100%_done\\", "100\\%\\_done\\\\")]
    [InlineData("literal `*", "literal *")]
    public void WildcardsBecomeLikePatternsWithTheSqlWildcardsEscaped(string wildcard, string like) =>
        Assert.Equal(like, ItemQuery.ToLike(wildcard));

    [Theory]
    [InlineData("", 0)]
    [InlineData("S", 1)]
    [InlineData("SFF", 3)]
    [InlineData("SFFS", 3)]
    [InlineData("FFS", 2)]
    [InlineData("F", 1)]
    public void AttemptsCountTheNewestRunAndTheFailuresStraightBeforeIt(string newestFirst, int attempts)
    {
        var runs = newestFirst.Select(c => new MailboxRunRecord("o", "m") { ErrorId = c == 'F' ? "E" : null }).ToList();

        Assert.Equal(attempts, SyncStatistics.Attempts(runs));
    }
}
