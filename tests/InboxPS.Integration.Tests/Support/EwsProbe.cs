using InboxPS.Core.Auth;
using InboxPS.Core.Ews;
using InboxPS.Core.Hosting;

namespace InboxPS.Integration.Tests.Support;

/// <summary>Uses a connection the way the sync engine does: a real EWS call impersonating a mailbox.</summary>
public static class EwsProbe
{
    public static async Task<EwsFolder> OpenInboxAsync(SimulatedTenant tenant, InboxConnection connection, string mailbox)
    {
        using var client = new EwsClient(new EwsClientOptions(connection.EwsUrl), EwsAuthentication.For(connection), tenant.Trust.CreateHandler());
        return await client.GetFolderAsync(new MailboxIdentity(mailbox), "inbox", null, CancellationToken.None);
    }

    /// <summary>The bearer token the connection would send now.</summary>
    public static async Task<string> BearerTokenOf(InboxConnection connection)
    {
        using var request = new HttpRequestMessage();
        await EwsAuthentication.For(connection).ApplyAsync(request, afterUnauthorized: false, CancellationToken.None);
        return request.Headers.Authorization!.Parameter!;
    }

    public static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        return secure;
    }

    public static string FirstUser(SimulatedTenant tenant) => tenant.Simulator.Control.ListUsers(0, 1)[0].PrimarySmtpAddress;
}
