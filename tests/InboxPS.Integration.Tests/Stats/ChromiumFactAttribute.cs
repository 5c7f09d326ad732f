namespace InboxPS.Integration.Tests.Stats;

/// <summary>A fact that needs chromium: skipped, saying how to get it, where it is missing and cannot be installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null)
        {
            Skip = "Skipped: needs Debian's chromium (apt-get install chromium); the test installs it only when running as root.";
        }
    }
}
