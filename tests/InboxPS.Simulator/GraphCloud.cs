namespace InboxPS.Simulator;

/// <summary>
/// Which national cloud's Microsoft Graph the simulator plays. Every cloud is served on 127.0.0.1; what differs is the
/// audience its tokens must carry (tokens of one cloud are refused by another, as in the real deployments).
/// </summary>
public enum GraphCloud
{
    /// <summary>https://graph.microsoft.com (also Microsoft 365 GCC).</summary>
    Global,

    /// <summary>US Government L4, GCC High: https://graph.microsoft.us.</summary>
    USGov,

    /// <summary>US Government L5, DoD: https://dod-graph.microsoft.us.</summary>
    USGovDoD,

    /// <summary>China, operated by 21Vianet: https://microsoftgraph.chinacloudapi.cn.</summary>
    China,
}
