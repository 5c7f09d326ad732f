namespace InboxPS.Core.Sync;

public enum SyncApproval
{
    Proceed,

    /// <summary>-WhatIf: say what would happen.</summary>
    WhatIf,

    /// <summary>-Confirm answered No.</summary>
    Declined,
}
