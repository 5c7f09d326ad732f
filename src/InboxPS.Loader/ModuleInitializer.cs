using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;

namespace InboxPS.Loader;

/// <summary>
/// Keeps InboxPS's dependencies (InboxPS.Core, MSAL, SQLite, ...) apart from the copies other modules load, such as
/// ExchangeOnlineManagement's, Microsoft.Graph's or Az's Microsoft.Identity.Client. They ship in the module's
/// <c>dependencies</c> folder, where PowerShell never looks. On PowerShell 7 they load into a private load context
/// (<see cref="LoadContextBridge"/>); on Windows PowerShell 5.1, which has none, a narrow AssemblyResolve handler serves
/// them from that folder (<see cref="FrameworkAssemblyResolver"/>). This runs as the manifest's first nested module:
/// PowerShell cannot even list the cmdlet types of InboxPS.dll before InboxPS.Core resolves.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // Beside InboxPS.dll: everything PowerShell need not see (build.ps1 lays it out).
    private const string DependencyFolderName = "dependencies";

    public void OnImport()
    {
        var moduleRoot = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
        var dependencies = string.IsNullOrEmpty(moduleRoot) ? null : Path.Combine(moduleRoot, DependencyFolderName);
        if (dependencies is null || !Directory.Exists(dependencies))
        {
            // A flat layout (everything beside InboxPS.dll) is resolved by PowerShell itself, without isolation.
            return;
        }

        if (RunsOnNetFramework())
        {
            FrameworkAssemblyResolver.Enable(moduleRoot!, dependencies);
        }
        else
        {
            LoadContextBridge.Enable(moduleRoot!, dependencies);
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (RunsOnNetFramework())
        {
            FrameworkAssemblyResolver.Disable();
        }
        else
        {
            LoadContextBridge.Disable();
        }
    }

    private static bool RunsOnNetFramework() =>
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
}
