using System;
using System.Net.Http;
using InboxPS.Core.Auth;
using InboxPS.Core.Ews;
using InboxPS.Core.Graph;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>Turns an organization's connection into the protocol the sync engine uses: EWS, or Microsoft Graph for GraphAppOnly.</summary>
public static class MailboxProtocols
{
    /// <summary>
    /// The protocol over <paramref name="connection"/>. Without one, and without <paramref name="requireConnection"/>, a
    /// protocol that fails only when a mailbox is actually opened, so -WhatIf runs need no sign-in.
    /// Each request is reported to <paramref name="trace"/> (see <see cref="EwsClientOptions.Trace"/>, <see cref="GraphClientOptions.Trace"/>).
    /// <paramref name="handler"/> is the HTTP handler under the client (null: the connection's); the caller keeps it.
    /// </summary>
    /// <exception cref="InboxException">NotConnected, when a connection is required and there is none.</exception>
    public static IMailboxProtocol For(InboxConnection? connection, string organization, bool requireConnection, Action<string>? trace = null,
        HttpMessageHandler? handler = null)
    {
        if (connection is not null && connection.Organization.UsesGraph)
        {
            return new GraphMailboxProtocol(GraphAccess.ClientFor(connection, handler, trace));
        }

        if (connection is not null)
        {
            var options = new EwsClientOptions(connection.EwsUrl) { Trace = trace };
            return new EwsMailboxProtocol(new EwsClient(options, EwsAuthentication.For(connection), handler ?? connection.Http.ServiceHandler));
        }

        var error = ConnectionErrors.NotConnected(organization);
        if (requireConnection)
        {
            throw error;
        }

        return new Unconnected(error);
    }

    private sealed class Unconnected : IMailboxProtocol
    {
        private readonly InboxException _error;

        public Unconnected(InboxException error) => _error = error;

        public IMailboxSession Open(MailboxTarget mailbox) => throw _error;
    }
}
