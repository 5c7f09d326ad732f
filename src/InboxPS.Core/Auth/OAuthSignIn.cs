namespace InboxPS.Core.Auth;

/// <summary>A finished OAuth sign-in: the first token and what renews it.</summary>
internal sealed class OAuthSignIn
{
    public OAuthSignIn(ITokenAcquirer acquirer, AccessToken token, string? account, string? appId)
    {
        Acquirer = acquirer;
        Token = token;
        Account = account;
        AppId = appId;
    }

    public ITokenAcquirer Acquirer { get; }

    public AccessToken Token { get; }

    public string? Account { get; }

    public string? AppId { get; }
}
