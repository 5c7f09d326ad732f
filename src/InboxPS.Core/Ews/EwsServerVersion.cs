namespace InboxPS.Core.Ews;

/// <summary>
/// The ServerVersionInfo header of a response, read loosely: every part is optional (Exchange 2007 sends no Version,
/// Exchange Online sends values such as V2018_01_08 that are no ExchangeVersionType), and unknown attributes are ignored.
/// </summary>
public sealed class EwsServerVersion
{
    public EwsServerVersion(int? majorVersion, int? minorVersion, int? majorBuildNumber, int? minorBuildNumber, string? version)
    {
        MajorVersion = majorVersion;
        MinorVersion = minorVersion;
        MajorBuildNumber = majorBuildNumber;
        MinorBuildNumber = minorBuildNumber;
        Version = version;
    }

    public int? MajorVersion { get; }
    public int? MinorVersion { get; }
    public int? MajorBuildNumber { get; }
    public int? MinorBuildNumber { get; }

    /// <summary>The schema version label, e.g. Exchange2013, V2_6 or V2018_01_08; null when the server sent none.</summary>
    public string? Version { get; }

    /// <summary>"15.20.8769.35 (V2018_01_08)", or as much of it as the server sent.</summary>
    public override string ToString()
    {
        var build = $"{MajorVersion?.ToString() ?? "?"}.{MinorVersion?.ToString() ?? "?"}.{MajorBuildNumber?.ToString() ?? "?"}.{MinorBuildNumber?.ToString() ?? "?"}";
        return Version is null ? build : $"{build} ({Version})";
    }
}
