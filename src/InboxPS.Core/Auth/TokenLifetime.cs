using System;
using InboxPS.Core.Ews;

namespace InboxPS.Core.Auth;

/// <summary>When a token counts as fresh enough to send.</summary>
internal static class TokenLifetime
{
    /// <summary>Tokens are renewed this long before they expire, so a request never leaves with a token that dies on the way.</summary>
    public static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(5);

    public static bool IsValidFor(AccessToken token, TimeSpan margin, DateTimeOffset now) =>
        token.ExpiresOn == DateTimeOffset.MaxValue || token.ExpiresOn - margin > now;
}
