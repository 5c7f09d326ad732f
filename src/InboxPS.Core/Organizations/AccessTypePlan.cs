using System.Collections.Generic;

namespace InboxPS.Core.Organizations;

/// <summary>The profile Set-InboxAccessType will save, what to warn the admin about, and whether a live sign-in must go.</summary>
public sealed class AccessTypePlan
{
    internal AccessTypePlan(OrganizationProfile profile, bool isNew, bool invalidatesSignIn, IReadOnlyList<string> warnings, bool switchesProtocol = false,
        bool changesProxy = false)
    {
        ChangesProxy = changesProxy;
        Profile = profile;
        IsNew = isNew;
        InvalidatesSignIn = invalidatesSignIn;
        Warnings = warnings;
        SwitchesProtocol = switchesProtocol;
    }

    /// <summary>
    /// True when the organization moves between EWS and Microsoft Graph: item and folder ids and sync states of one
    /// protocol mean nothing to the other, so the next run re-baselines each user (the roster and items stay).
    /// </summary>
    public bool SwitchesProtocol { get; }

    public OrganizationProfile Profile { get; }

    public bool IsNew { get; }

    /// <summary>True when the access type, cloud or endpoint changed, so an existing sign-in no longer fits.</summary>
    public bool InvalidatesSignIn { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// True when the proxy or how it is answered changed: a live connection still sends through the old one, so it goes;
    /// a saved delegated sign-in stays and is restored through the new proxy.
    /// </summary>
    public bool ChangesProxy { get; }
}
