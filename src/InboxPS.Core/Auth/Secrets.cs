using System;
using System.Runtime.InteropServices;
using System.Security;

namespace InboxPS.Core.Auth;

/// <summary>Turns a SecureString into the plain text MSAL or an HTTP header needs, at the last moment.</summary>
internal static class Secrets
{
    public static string Reveal(SecureString secret)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    public static SecureString Protect(string plain)
    {
        var secure = new SecureString();
        foreach (var c in plain)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
