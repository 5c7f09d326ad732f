using System;

namespace InboxPS.Core.Auth;

/// <summary>When a token counts as fresh enough to send.</summary>
internal static class TokenLifetime
{
    /// <summary>Tokens are renewed this long before they expire, so a request never leaves with a token that dies on the way.</summary>
    public static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The margin for a token obtained at <paramref name="obtainedAt"/>: <see cref="RenewalMargin"/>, but at most half
    /// its lifetime, so a short-lived token (minutes) is used for half its life instead of being renewed on every request.
    /// </summary>
    public static TimeSpan MarginFor(AccessToken token, DateTimeOffset obtainedAt)
    {
        if (token.ExpiresOn == DateTimeOffset.MaxValue)
        {
            return RenewalMargin;
        }

        var half = TimeSpan.FromTicks((token.ExpiresOn - obtainedAt).Ticks / 2);
        return half < TimeSpan.Zero ? TimeSpan.Zero : half < RenewalMargin ? half : RenewalMargin;
    }

    public static bool IsValidFor(AccessToken token, TimeSpan margin, DateTimeOffset now) =>
        token.ExpiresOn == DateTimeOffset.MaxValue || token.ExpiresOn - margin > now;
}
