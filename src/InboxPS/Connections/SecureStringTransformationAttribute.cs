using System.Management.Automation;
using System.Security;

namespace InboxPS.Connections;

/// <summary>
/// Lets a SecureString parameter also take plain text (a token from Get-AzAccessToken, a secret from a vault), turning it
/// into a SecureString before the cmdlet sees it, so the rest of InboxPS handles one kind of secret only.
/// </summary>
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return inputData;
        }

        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
