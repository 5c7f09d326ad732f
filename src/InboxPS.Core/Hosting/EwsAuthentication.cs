using InboxPS.Core.Auth;
using InboxPS.Core.Ews;

namespace InboxPS.Core.Hosting;

/// <summary>How a connection's sign-in signs EWS requests: Auth knows the sign-in, Ews the header; this is where they meet.</summary>
public static class EwsAuthentication
{
    /// <summary>
    /// A bearer authenticator over the connection's tokens, or a basic one over its password. A basic authenticator holds
    /// its own copy of the password: dispose it when the client that uses it is done.
    /// </summary>
    public static IEwsAuthenticator For(InboxConnection connection) =>
        connection.Tokens is { } tokens
            ? new BearerTokenAuthenticator(tokens)
            : new BasicAuthenticator(connection.Password!.UserName, connection.Password.Password);
}
