using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews;

/// <summary>Signs each EWS request: OAuth bearer tokens or, on-premises, basic credentials.</summary>
public interface IEwsAuthenticator
{
    /// <summary>Adds the Authorization header. <paramref name="afterUnauthorized"/> is true on the one retry after a 401.</summary>
    Task ApplyAsync(HttpRequestMessage request, bool afterUnauthorized, CancellationToken cancellationToken);

    /// <summary>Whether a 401 is worth one more try with fresh credentials (a token can be renewed; a password cannot).</summary>
    bool CanRetryUnauthorized { get; }

    /// <summary>Refuses an endpoint these credentials must not be sent to.</summary>
    /// <exception cref="EwsException">The endpoint is plain http and not this machine.</exception>
    void Validate(Uri ewsUrl);
}
