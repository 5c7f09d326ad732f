using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Auth;

/// <summary>
/// The token of one live connection, shared by every worker. It hands out the current token until it is within
/// <see cref="TokenLifetime.RenewalMargin"/> of expiry (for a token it renewed itself, at most half that token's
/// lifetime), then one caller renews it while the others wait for the result; a forced refresh (after a 401) renews
/// once however many workers saw the 401. A sign-in that is gone for good (revoked refresh
/// token, rotated secret) is remembered, so every later caller gets the same single "reconnect" error without
/// asking the identity provider again.
/// </summary>
internal sealed class RenewingTokenSource : IAccessTokenSource
{
    private readonly ITokenAcquirer _acquirer;
    private readonly Func<DateTimeOffset> _clock;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private Held _current;
    private InboxException? _fatal;

    public RenewingTokenSource(ITokenAcquirer acquirer, AccessToken first, Func<DateTimeOffset> clock)
    {
        _acquirer = acquirer;
        // The first token may come from a cache, part used: its lifetime is unknown, so the full margin applies.
        _current = new Held(first, TokenLifetime.RenewalMargin);
        _clock = clock;
    }

    public AccessToken Current => Volatile.Read(ref _current).Token;

    /// <summary>The error that ended this sign-in, once one did.</summary>
    public InboxException? Failure => Volatile.Read(ref _fatal);

    public async Task<AccessToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _current);
        ThrowIfEnded();
        if (!forceRefresh && TokenLifetime.IsValidFor(seen.Token, seen.Margin, _clock()))
        {
            return seen.Token;
        }

        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfEnded();
            var current = Volatile.Read(ref _current);
            var renewedMeanwhile = !ReferenceEquals(current, seen);
            if (renewedMeanwhile ? TokenLifetime.IsValidFor(current.Token, TimeSpan.Zero, _clock()) : !forceRefresh && TokenLifetime.IsValidFor(current.Token, current.Margin, _clock()))
            {
                return current.Token;
            }

            return await RenewAsync(current.Token, forceRefresh, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _renewal.Release();
        }
    }

    private async Task<AccessToken> RenewAsync(AccessToken current, bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            var obtainedAt = _clock();
            var renewed = await _acquirer.AcquireAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, new Held(renewed, TokenLifetime.MarginFor(renewed, obtainedAt)));
            return renewed;
        }
        catch (InboxException e) when (e.ErrorId == SignInErrors.ReconnectId)
        {
            Volatile.Write(ref _fatal, e);
            throw;
        }
        catch (InboxException) when (!forceRefresh && TokenLifetime.IsValidFor(current, TimeSpan.Zero, _clock()))
        {
            // The identity provider is briefly unreachable, but the token still works: keep using it and retry later.
            return current;
        }
    }

    private void ThrowIfEnded()
    {
        if (Failure is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>A token with the margin before its expiry at which it is renewed.</summary>
    private sealed class Held
    {
        public Held(AccessToken token, TimeSpan margin)
        {
            Token = token;
            Margin = margin;
        }

        public AccessToken Token { get; }

        public TimeSpan Margin { get; }
    }
}
