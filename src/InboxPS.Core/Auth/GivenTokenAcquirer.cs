using System;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Auth;

/// <summary>A token the admin obtained elsewhere: good until it expires or Exchange refuses it, then nothing can renew it.</summary>
internal sealed class GivenTokenAcquirer : ITokenAcquirer
{
    private readonly string _organization;
    private readonly AccessToken _token;
    private readonly Func<DateTimeOffset> _clock;

    public GivenTokenAcquirer(string organization, AccessToken token, Func<DateTimeOffset> clock)
    {
        _organization = organization;
        _token = token;
        _clock = clock;
    }

    public Task<AccessToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (forceRefresh)
        {
            throw SignInErrors.Reconnect(_organization,
                $"Exchange refused the access token given to Connect-InboxImpersonation for '{_organization}', and a given token cannot be refreshed.");
        }

        if (!TokenLifetime.IsValidFor(_token, TimeSpan.Zero, _clock()))
        {
            throw SignInErrors.Reconnect(_organization,
                $"The access token given to Connect-InboxImpersonation for '{_organization}' expired at {_token.ExpiresOn:u}; a given token cannot be refreshed. " +
                "Connect with a certificate, secret or managed identity to let InboxPS renew tokens itself.");
        }

        return Task.FromResult(_token);
    }
}
