using System;
using System.Security;

namespace InboxPS.Core.Auth;

/// <summary>
/// The service account's user name and password of a basic sign-in, kept as a private read-only copy of the SecureString
/// for as long as the connection lives. The protocol that sends it decides how (EWS: an Authorization header).
/// </summary>
public sealed class PasswordCredential : IDisposable
{
    public PasswordCredential(string userName, SecureString password)
    {
        UserName = userName;
        Password = (password ?? throw new ArgumentNullException(nameof(password))).Copy();
        Password.MakeReadOnly();
    }

    public string UserName { get; }

    public SecureString Password { get; }

    public void Dispose() => Password.Dispose();

    // Never the password, whoever prints the object.
    public override string ToString() => UserName;
}
