using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using InboxPS.Simulator.Tenant;

namespace InboxPS.Simulator.Ews;

/// <summary>The caller of an EWS request, after authentication.</summary>
internal sealed record EwsCaller(string RightsKey, bool IsAppOnly, int? UserIndex);

/// <summary>
/// Who may impersonate whom: per caller (an app id for app-only tokens, a user for delegated tokens and Basic) either
/// every mailbox in the default management scope, an explicit set of mailboxes (a custom management scope), or none.
/// </summary>
internal sealed class ImpersonationRights
{
    private readonly ConcurrentDictionary<string, (ImpersonationScope Scope, HashSet<int> Mailboxes)> _rights = new(StringComparer.OrdinalIgnoreCase);

    public static string UserKey(int userIndex) => "user:" + userIndex;

    public void Set(string key, ImpersonationScope scope, IEnumerable<int>? mailboxes = null) =>
        _rights[key] = (scope, new HashSet<int>(mailboxes ?? Array.Empty<int>()));

    public bool Allows(EwsCaller caller, int target, MailboxFlags flags)
    {
        if (caller.UserIndex == target)
        {
            return true;
        }

        if (!_rights.TryGetValue(caller.RightsKey, out var rights))
        {
            return false;
        }

        return rights.Scope switch
        {
            ImpersonationScope.All => !flags.OutsideDefaultScope,
            ImpersonationScope.Mailboxes => rights.Mailboxes.Contains(target),
            _ => false,
        };
    }
}
