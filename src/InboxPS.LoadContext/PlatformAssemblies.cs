using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace InboxPS.LoadContext;

/// <summary>
/// The trusted platform assemblies of this process: the .NET runtime's and PowerShell's own, fixed at start-up and the
/// same for every module.
/// </summary>
internal sealed class PlatformAssemblies
{
    private readonly Lazy<Dictionary<string, string>> _pathsByName = new(ReadTrustedPlatformAssemblies);

    /// <summary>Whether the platform has <paramref name="assemblyName"/> at the version asked for or later.</summary>
    public bool Provides(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || !_pathsByName.Value.TryGetValue(assemblyName.Name, out var path))
        {
            return false;
        }

        return assemblyName.Version is null || AssemblyName.GetAssemblyName(path).Version >= assemblyName.Version;
    }

    private static Dictionary<string, string> ReadTrustedPlatformAssemblies()
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            paths[Path.GetFileNameWithoutExtension(path)] = path;
        }

        return paths;
    }
}
