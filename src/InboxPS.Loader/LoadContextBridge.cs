using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace InboxPS.Loader;

/// <summary>
/// PowerShell 7: hands the work to InboxPS.LoadContext.dll (net6.0), whose private AssemblyLoadContext loads InboxPS.Core
/// and its dependencies. This assembly targets netstandard2.0 for Windows PowerShell too, so it cannot name
/// AssemblyLoadContext; it loads that assembly into the default context and calls it by reflection.
/// </summary>
internal static class LoadContextBridge
{
    private const string LoadContextAssemblyName = "InboxPS.LoadContext";
    private const string LoadContextTypeName = "InboxPS.LoadContext.DependencyLoadContext";

    public static void Enable(string moduleRoot, string dependencyDirectory) =>
        Invoke("Enable", LoadContextAssembly(moduleRoot), dependencyDirectory);

    public static void Disable()
    {
        var assembly = LoadedContextAssembly();
        if (assembly is not null)
        {
            Invoke("Disable", assembly);
        }
    }

    private static Assembly LoadContextAssembly(string moduleRoot)
    {
        var loaded = LoadedContextAssembly();
        if (loaded is not null)
        {
            // A re-import (Import-Module -Force): assemblies never unload, and a second copy could not load.
            return loaded;
        }

        // AssemblyLoadContext.Default.LoadFromAssemblyPath, not Assembly.LoadFrom: LoadFrom would also start resolving
        // other assemblies from the module folder for it.
        var contextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: true)!;
        var defaultContext = contextType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        var loadFromPath = contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
        return (Assembly)loadFromPath.Invoke(defaultContext, new object[] { Path.Combine(moduleRoot, LoadContextAssemblyName + ".dll") })!;
    }

    private static Assembly? LoadedContextAssembly() =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == LoadContextAssemblyName);

    private static void Invoke(string methodName, Assembly assembly, params object[] arguments)
    {
        var method = assembly.GetType(LoadContextTypeName, throwOnError: true)!
            .GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)!;
        try
        {
            method.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The load context's own exception says what went wrong; the reflection wrapper says nothing.
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}
