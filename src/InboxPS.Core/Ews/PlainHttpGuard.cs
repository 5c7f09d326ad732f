using System;

namespace InboxPS.Core.Ews;

/// <summary>Credentials never cross the network in clear text: plain http is allowed only to this machine (tests).</summary>
internal static class PlainHttpGuard
{
    public static void Require(Uri ewsUrl, string errorId, string secret)
    {
        if (ewsUrl is null)
        {
            throw new ArgumentNullException(nameof(ewsUrl));
        }

        if (ewsUrl.Scheme == Uri.UriSchemeHttps || ewsUrl.IsLoopback)
        {
            return;
        }

        throw new EwsException(errorId, InboxErrorKind.InvalidArgument,
            $"Refusing to send {secret} to '{ewsUrl.GetLeftPart(UriPartial.Path)}' over plain http: anyone on the network could read it.",
            "Use the https address of the EWS endpoint.", ewsUrl.Host);
    }
}
