namespace InboxPS.Core.Tests.Sync.Fakes;

/// <summary>The calls the engine makes on a mailbox, for scripting failures and counting calls.</summary>
public enum FakeCall
{
    Open,
    GetFolder,
    SyncFolders,
    SyncItems,
    ReadItems,
}
