using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace InboxPS.Core.Store;

/// <summary>
/// Loads the native e_sqlite3 library that matches this process from <c>runtimes/&lt;rid&gt;/native</c> beside
/// InboxPS.Core.dll (or beside <c>runtimes/&lt;rid&gt;/lib</c> when InboxPS.Core.dll is the ahead-of-time compiled copy
/// from there). A binary module is loaded by PowerShell from its own folder, where neither .NET's deps.json probing nor
/// the SQLitePCLRaw bundle looks, so InboxPS finds the library itself: a DllImport resolver on .NET (Core), and a
/// LoadLibrary by full path on .NET Framework (Windows PowerShell 5.1).
/// </summary>
internal static class NativeSqlite
{
    private const string LibraryName = "e_sqlite3";
    private static readonly object s_gate = new();
    private static bool s_initialized;
    private static string? s_libraryPath;

    public static void EnsureInitialized()
    {
        lock (s_gate)
        {
            if (s_initialized)
            {
                return;
            }

            var providerAssembly = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            s_libraryPath = FindLibrary();
            if (s_libraryPath is not null)
            {
                if (IsNetFramework())
                {
                    // A module loaded by name is reused by later DllImports of the same name.
                    LoadLibraryW(s_libraryPath);
                }
                else
                {
                    TrySetDllImportResolver(providerAssembly);
                }
            }

            SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_e_sqlite3());
            s_initialized = true;
        }
    }

    /// <summary>The runtime identifier whose native library this process needs, e.g. linux-x64.</summary>
    public static string? RuntimeIdentifier()
    {
        string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
            : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
            : null;
        string? arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            _ => null,
        };
        return os is null || arch is null ? null : os + "-" + arch;
    }

    private static string? FindLibrary()
    {
        var rid = RuntimeIdentifier();
        var here = Path.GetDirectoryName(typeof(NativeSqlite).Assembly.Location);
        if (rid is null || string.IsNullOrEmpty(here))
        {
            return null;
        }

        var fileName = rid.StartsWith("win", StringComparison.Ordinal) ? "e_sqlite3.dll"
            : rid.StartsWith("osx", StringComparison.Ordinal) ? "libe_sqlite3.dylib"
            : "libe_sqlite3.so";
        var candidate = Path.Combine(Path.Combine(Path.Combine(Path.Combine(here, "runtimes"), rid), "native"), fileName);
        if (File.Exists(candidate))
        {
            return candidate;
        }

        // On PowerShell 7 this assembly may be the ahead-of-time compiled copy in dependencies/runtimes/<rid>/lib/
        // (tools/InboxBuild.psm1): the platform's native folder is then its sibling.
        var ridFolder = string.Equals(Path.GetFileName(here), "lib", StringComparison.Ordinal) ? Path.GetDirectoryName(here) : null;
        var besideLib = ridFolder is null ? null : Path.Combine(Path.Combine(ridFolder, "native"), fileName);
        return besideLib is not null && File.Exists(besideLib) ? besideLib : null;
    }

    private static bool IsNetFramework() =>
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    // NativeLibrary is a .NET Core API; this assembly targets netstandard2.0, so it is reached by reflection.
    private static void TrySetDllImportResolver(Assembly providerAssembly)
    {
        var nativeLibrary = typeof(object).Assembly.GetType("System.Runtime.InteropServices.NativeLibrary");
        var resolverType = typeof(object).Assembly.GetType("System.Runtime.InteropServices.DllImportResolver");
        var setResolver = nativeLibrary?.GetMethod("SetDllImportResolver", BindingFlags.Public | BindingFlags.Static);
        var resolve = typeof(NativeSqlite).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static);
        if (setResolver is null || resolverType is null || resolve is null)
        {
            return;
        }

        try
        {
            setResolver.Invoke(null, new object[] { providerAssembly, Delegate.CreateDelegate(resolverType, resolve) });
        }
        catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException)
        {
            // Someone (an earlier import, or the provider itself) set a resolver already; default probing stays.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!string.Equals(libraryName, LibraryName, StringComparison.Ordinal) || s_libraryPath is null)
        {
            return IntPtr.Zero;
        }

        var load = typeof(object).Assembly.GetType("System.Runtime.InteropServices.NativeLibrary")!
            .GetMethod("Load", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null)!;
        return (IntPtr)load.Invoke(null, new object[] { s_libraryPath })!;
    }

    [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
    private static extern IntPtr LoadLibraryW(string fileName);
}
