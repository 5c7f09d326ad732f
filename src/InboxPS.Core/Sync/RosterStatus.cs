namespace InboxPS.Core.Sync;

public static class RosterStatus
{
    public const string Pending = "Pending";
    public const string Synced = "Synced";
    public const string Failed = "Failed";
    public const string Inactive = "Inactive";

    /// <summary>A folder is being synced again from the start (its sync state was refused) and is not complete yet: the
    /// next run finishes it.</summary>
    public const string Incomplete = "Incomplete";

    /// <summary>The organization switched access type (EWS and Microsoft Graph): the user's stored items wait to be
    /// matched with the new protocol's by the next run, which re-baselines each folder.</summary>
    public const string Rebaselining = "Rebaselining";
}
