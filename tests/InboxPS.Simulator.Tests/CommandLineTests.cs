namespace InboxPS.Simulator.Tests;

/// <summary>The standalone simulator's Graph options map onto <see cref="SimulatorOptions"/> and bad values are refused.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void GraphOptionsAreParsed()
    {
        var (options, _) = CommandLine.Parse(new[]
        {
            "--graph-cloud", "usgovdod", "--graph-max-concurrency", "2", "--graph-requests-per-window", "50", "--graph-retry-after", "2.128",
        });

        Assert.Equal(GraphCloud.USGovDoD, options!.GraphCloud);
        Assert.Equal(2, options.GraphMaxConcurrencyPerMailbox);
        Assert.Equal(50, options.GraphRequestsPerWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(2128), options.GraphRetryAfter);
    }

    [Theory]
    [InlineData("--graph-cloud", "Mars")]
    [InlineData("--graph-max-concurrency", "0")]
    [InlineData("--graph-retry-after", "-1")]
    public void BadGraphOptionsAreRefused(string name, string value) =>
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(new[] { name, value }));
}
