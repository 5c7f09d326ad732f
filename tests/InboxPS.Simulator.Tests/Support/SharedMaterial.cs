namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// The reference material kept beside the repository (../shared: the EWS schema and Microsoft's samples). A user's clone
/// does not have it; tests that read it are skipped there, with a message saying what was skipped.
/// (Adapted from tests/InboxPS.Core.Tests/Support/SharedMaterial.cs: this project deliberately shares nothing with the core.)
/// </summary>
public static class SharedMaterial
{
    private static readonly Lazy<string?> s_root = new(Find);

    /// <summary>The shared folder, or null when this checkout has none beside it.</summary>
    public static string? Root => s_root.Value;

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine(new[] { Root ?? throw new InvalidOperationException("../shared is not present.") }.Concat(parts).ToArray());

    private static string? Find()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("INBOXPS_SHARED");
        if (!string.IsNullOrEmpty(explicitRoot) && Directory.Exists(explicitRoot))
        {
            return explicitRoot;
        }

        // Walk up to the repository root (the folder with InboxPS.sln), then look beside it. Start from the test binaries,
        // and also from this source file: with --artifacts-path the binaries live outside the repository.
        return FromRepositoryAbove(AppContext.BaseDirectory) ?? FromRepositoryAbove(System.IO.Path.GetDirectoryName(SourceFile()));
    }

    private static string? FromRepositoryAbove(string? start)
    {
        for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "InboxPS.sln")))
            {
                var shared = System.IO.Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(System.IO.Path.Combine(shared, "ews-schema")) ? shared : null;
            }
        }

        return null;
    }

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}

/// <summary>A fact that needs ../shared: skipped with a clear reason when the folder is not beside the repository.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedMaterial.Root is null)
        {
            Skip = "Skipped: needs the reference material in ../shared (EWS schema and samples), which this checkout does not have.";
        }
    }
}

/// <summary>A theory that needs ../shared; see <see cref="SharedFactAttribute"/>.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedMaterial.Root is null)
        {
            Skip = "Skipped: needs the reference material in ../shared (EWS schema and samples), which this checkout does not have.";
        }
    }
}
