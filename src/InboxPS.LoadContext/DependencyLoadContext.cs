using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace InboxPS.LoadContext;

/// <summary>
/// InboxPS's private load context on PowerShell 7. InboxPS.Core and everything it depends on load here from the module's
/// <c>dependencies</c> folder, so the Microsoft.Identity.Client (or SQLite) another module put in the default context is
/// never ours, and ours is never theirs. The default context is given exactly one assembly from here, InboxPS.Core, which
/// the cmdlets in InboxPS.dll reference; the pattern of PowerShell's "Resolving PowerShell module assembly dependency
/// conflicts".
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The one assembly the default context may take from this context: the engine the cmdlets call.</summary>
    public const string BridgeAssemblyName = "InboxPS.Core";

    private static readonly object s_gate = new();
    private static readonly Dictionary<string, DependencyLoadContext> s_byDirectory = new(StringComparer.Ordinal);
    private static DependencyLoadContext? s_active;

    private readonly string _directory;
    private readonly string? _compiledDirectory;
    private readonly PlatformAssemblies _platform = new();

    private DependencyLoadContext(string directory)
        : base("InboxPS", isCollectible: false)
    {
        _directory = directory;
        _compiledDirectory = CompiledDirectory(directory);
    }

    /// <summary>
    /// Makes the default context resolve InboxPS.Core from <paramref name="dependencyDirectory"/> through the private
    /// context. Called on every import; the context for a folder is created once per process, since assemblies never
    /// unload.
    /// </summary>
    public static void Enable(string dependencyDirectory)
    {
        var directory = Path.GetFullPath(dependencyDirectory);
        lock (s_gate)
        {
            if (!s_byDirectory.TryGetValue(directory, out var context))
            {
                context = new DependencyLoadContext(directory);
                s_byDirectory.Add(directory, context);
            }

            if (s_active is null)
            {
                Default.Resolving += ResolveBridge;
            }

            s_active = context;
        }
    }

    /// <summary>Stops answering for InboxPS.Core when the module is removed; what is loaded stays loaded.</summary>
    public static void Disable()
    {
        lock (s_gate)
        {
            if (s_active is not null)
            {
                Default.Resolving -= ResolveBridge;
                s_active = null;
            }
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // What the runtime or PowerShell itself ships (System.Memory, System.Text.Json, ...) comes from the default
        // context when its copy is new enough: other modules cannot change those, and Span<T> or IAsyncEnumerable<T>
        // must be the runtime's own types. Everything else in dependencies/ is ours alone.
        if (assemblyName.Name is null || _platform.Provides(assemblyName))
        {
            return null;
        }

        var fileName = assemblyName.Name + ".dll";
        if (_compiledDirectory is not null)
        {
            var compiled = Path.Combine(_compiledDirectory, fileName);
            if (File.Exists(compiled))
            {
                return LoadFromAssemblyPath(compiled);
            }
        }

        var path = Path.Combine(_directory, fileName);
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// runtimes/&lt;rid&gt;/lib under the dependencies folder when the build put ahead-of-time compiled (ReadyToRun) copies
    /// there for this platform: the same assemblies with native code beside their IL, so the first cmdlet does not wait
    /// for the JIT. Null on other platforms, which load the IL copies.
    /// </summary>
    private static string? CompiledDirectory(string directory)
    {
        // The platform named as NativeSqlite names it in InboxPS.Core, which this assembly cannot reference: it loads it.
        var os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
            : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
            : null;
        var architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        if (os is null || architecture is null)
        {
            return null;
        }

        var compiled = Path.Combine(directory, "runtimes", os + "-" + architecture, "lib");
        return Directory.Exists(compiled) ? compiled : null;
    }

    private static Assembly? ResolveBridge(AssemblyLoadContext context, AssemblyName assemblyName)
    {
        var active = s_active;
        return active is not null && string.Equals(assemblyName.Name, BridgeAssemblyName, StringComparison.Ordinal)
            ? active.LoadFromAssemblyName(assemblyName)
            : null;
    }
}
