using System;
using InboxPS.Core.Auth;
using InboxPS.Core.Ews;
using InboxPS.Core.Organizations;

namespace InboxPS.Core.Sync;

/// <summary>Turns an organization's live connection into the protocol the sync engine uses.</summary>
public static class MailboxProtocols
{
    /// <summary>
    /// The organization's protocol over its connection (made in this session by Connect-InboxImpersonation, or restored
    /// from a persisted delegated sign-in). Without <paramref name="requireConnection"/> a missing connection only fails
    /// when a mailbox is actually opened, so -WhatIf runs need no sign-in.
    /// Each EWS request is reported to <paramref name="trace"/> (see <see cref="EwsClientOptions.Trace"/>).
    /// </summary>
    /// <exception cref="InboxException">NotConnected, when a connection is required and there is none.</exception>
    public static IMailboxProtocol ForOrganization(OrganizationProfile organization, bool requireConnection, Action<string>? trace = null)
    {
        var connection = ConnectionRegistry.Find(organization.Name);
        if (connection is not null)
        {
            var options = new EwsClientOptions(connection.EwsUrl) { Trace = trace };
            return new EwsMailboxProtocol(new EwsClient(options, connection.Authenticator));
        }

        var error = NotConnected(organization.Name);
        if (requireConnection)
        {
            throw error;
        }

        return new Unconnected(error);
    }

    public static InboxException NotConnected(string organization) => new("NotConnected", InboxErrorKind.AuthenticationError,
        $"Organization '{organization}' is not connected: its service account has not signed in in this session.",
        $"Run Connect-InboxImpersonation -Organization '{organization}' first.", organization);

    private sealed class Unconnected : IMailboxProtocol
    {
        private readonly InboxException _error;

        public Unconnected(InboxException error) => _error = error;

        public IMailboxSession Open(MailboxTarget mailbox) => throw _error;
    }
}
