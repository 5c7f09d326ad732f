using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Ews;

/// <summary>
/// Basic authentication of the service account, for Exchange Server on-premises (Exchange Online turned it off in 2022).
/// The password stays in a private read-only copy of the SecureString; the header is built per request and the
/// plain-text buffers are cleared straight after.
/// </summary>
public sealed class BasicAuthenticator : IEwsAuthenticator, IDisposable
{
    private readonly string _userName;
    private readonly SecureString _password;

    public BasicAuthenticator(string userName, SecureString password)
    {
        if (string.IsNullOrWhiteSpace(userName) || userName.IndexOf(':') >= 0)
        {
            // RFC 7617: the user-id cannot contain a colon, it separates the password.
            throw new ArgumentException("The user name is empty or contains ':'.", nameof(userName));
        }

        _userName = userName;
        _password = (password ?? throw new ArgumentNullException(nameof(password))).Copy();
        _password.MakeReadOnly();
    }

    /// <summary>False: a password refused once is refused again; retrying only risks locking the account out.</summary>
    public bool CanRetryUnauthorized => false;

    public Task ApplyAsync(HttpRequestMessage request, bool afterUnauthorized, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", EncodeCredentials());
        return Task.CompletedTask;
    }

    public void Validate(Uri ewsUrl) => PlainHttpGuard.Require(ewsUrl, "BasicAuthRequiresHttps", "the service account's password");

    public void Dispose() => _password.Dispose();

    public override string ToString() => "Basic " + _userName;

    private string EncodeCredentials()
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(_password);
        var chars = new char[_userName.Length + 1 + _password.Length];
        byte[]? bytes = null;
        try
        {
            _userName.CopyTo(0, chars, 0, _userName.Length);
            chars[_userName.Length] = ':';
            Marshal.Copy(pointer, chars, _userName.Length + 1, _password.Length);
            bytes = Encoding.UTF8.GetBytes(chars);
            return Convert.ToBase64String(bytes);
        }
        finally
        {
            Array.Clear(chars, 0, chars.Length);
            if (bytes is not null)
            {
                Array.Clear(bytes, 0, bytes.Length);
            }

            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
