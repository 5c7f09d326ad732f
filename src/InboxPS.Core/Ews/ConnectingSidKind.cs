using System.Text.RegularExpressions;

namespace InboxPS.Core.Ews;

/// <summary>Which element of the ExchangeImpersonation header's ConnectingSID names the mailbox.</summary>
public enum ConnectingSidKind
{
    PrimarySmtpAddress,
    SmtpAddress,

    /// <summary>The user principal name; Microsoft recommends it (or the SID) because it saves Exchange a directory lookup.</summary>
    PrincipalName,
    SID,
}
