namespace InboxPS.Tests.Support;

/// <summary>
/// The reference material kept beside the repository (../shared: the EWS schema and Microsoft's samples). A user's clone
/// does not have it; tests that read it are skipped there, with a message saying what was skipped. Compiled into each
/// test project that reads it (a linked file, so the simulator's tests still share no code with the core's).
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

        // The repository root recorded at build time, else the first folder with InboxPS.sln above the binaries.
        var recorded = typeof(SharedMaterial).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "InboxPS.RepositoryRoot")?.Value;
        var root = recorded is not null && File.Exists(System.IO.Path.Combine(recorded, "InboxPS.sln")) ? recorded : FindRepositoryRoot();
        if (root is null)
        {
            return null;
        }

        var shared = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(root).TrimEnd('/', '\\'))!, "shared");
        return Directory.Exists(System.IO.Path.Combine(shared, "ews-schema")) ? shared : null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "InboxPS.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
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
