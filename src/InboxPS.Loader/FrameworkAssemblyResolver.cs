using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace InboxPS.Loader;

/// <summary>
/// Windows PowerShell 5.1 has one load context for every module, so true isolation is impossible there. This is the best
/// the platform allows: when a bind fails (a version nobody loaded, no binding redirect), answer with InboxPS's own copy
/// from the dependencies folder, but only for names InboxPS ships and only when an InboxPS assembly (or an unknown one)
/// asks. What another module loaded first under the exact version asked for still wins.
/// </summary>
internal static class FrameworkAssemblyResolver
{
    private static readonly object s_gate = new();
    private static HashSet<string>? s_dependencyNames;
    private static string s_moduleRoot = string.Empty;
    private static string s_dependencyDirectory = string.Empty;

    public static void Enable(string moduleRoot, string dependencyDirectory)
    {
        lock (s_gate)
        {
            if (s_dependencyNames is not null)
            {
                return;
            }

            s_moduleRoot = Path.GetFullPath(moduleRoot);
            s_dependencyDirectory = Path.GetFullPath(dependencyDirectory);
            s_dependencyNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in Directory.GetFiles(s_dependencyDirectory, "*.dll"))
            {
                s_dependencyNames.Add(Path.GetFileNameWithoutExtension(file));
            }

            AppDomain.CurrentDomain.AssemblyResolve += Resolve;
        }
    }

    public static void Disable()
    {
        lock (s_gate)
        {
            if (s_dependencyNames is not null)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                s_dependencyNames = null;
            }
        }
    }

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var names = s_dependencyNames;
        var name = new AssemblyName(args.Name).Name;
        if (names is null || name is null || !names.Contains(name) || !IsOursOrUnknown(args.RequestingAssembly))
        {
            return null;
        }

        return Assembly.LoadFrom(Path.Combine(s_dependencyDirectory, name + ".dll"));
    }

    private static bool IsOursOrUnknown(Assembly? requester)
    {
        if (requester is null)
        {
            return true;
        }

        var folder = requester.IsDynamic ? null : Path.GetDirectoryName(requester.Location);
        return string.Equals(folder, s_moduleRoot, StringComparison.OrdinalIgnoreCase)
            || string.Equals(folder, s_dependencyDirectory, StringComparison.OrdinalIgnoreCase);
    }
}
