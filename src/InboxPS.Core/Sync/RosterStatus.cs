namespace InboxPS.Core.Sync;

public static class RosterStatus
{
    public const string Pending = "Pending";
    public const string Synced = "Synced";
    public const string Failed = "Failed";
    public const string Inactive = "Inactive";
}
