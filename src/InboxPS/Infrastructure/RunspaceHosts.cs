using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using InboxPS.Core.Hosting;

namespace InboxPS.Infrastructure;

/// <summary>
/// One <see cref="InboxHost"/> (and so one set of connections) per PowerShell runspace: two runspaces in one process
/// (ForEach-Object -Parallel, thread jobs, a host application's pool) behave as two users of the module. The table
/// holds the runspace weakly, and a closed runspace signs its live connections out of memory.
/// </summary>
internal static class RunspaceHosts
{
    private static readonly ConditionalWeakTable<Runspace, InboxHost> s_hosts = new();

    /// <summary>The host of the runspace running the calling pipeline thread.</summary>
    /// <exception cref="InvalidOperationException">Called off a pipeline thread, where no runspace is current.</exception>
    public static InboxHost Current
    {
        get
        {
            var runspace = Runspace.DefaultRunspace
                ?? throw new InvalidOperationException("InboxPS was called on a thread that runs no PowerShell pipeline.");
            return s_hosts.GetValue(runspace, Create);
        }
    }

    private static InboxHost Create(Runspace runspace)
    {
        var host = new InboxHost();
        runspace.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                host.Dispose();
            }
        };
        return host;
    }
}
