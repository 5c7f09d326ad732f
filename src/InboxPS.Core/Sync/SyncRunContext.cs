using System;

namespace InboxPS.Core.Sync;

/// <summary>
/// Who started a worker's run, where and how, for its run record. <see cref="Parameters"/> is the command line as an
/// admin would retype it, built from parameters that hold no secrets (Start-InboxSync has none).
/// </summary>
public sealed class SyncRunContext
{
    public SyncRunContext(string startedBy, string machine, string parameters)
    {
        StartedBy = startedBy;
        Machine = machine;
        Parameters = parameters;
    }

    public string StartedBy { get; }
    public string Machine { get; }
    public string Parameters { get; }

    /// <summary>The account and machine of this process.</summary>
    public static SyncRunContext ForThisProcess(string parameters)
    {
        var domain = Environment.UserDomainName;
        var user = string.IsNullOrEmpty(domain) || string.Equals(domain, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            ? Environment.UserName
            : domain + "\\" + Environment.UserName;
        return new SyncRunContext(user, Environment.MachineName, parameters);
    }
}
