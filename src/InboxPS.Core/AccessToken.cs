using System;
using System.Globalization;

namespace InboxPS.Core;

/// <summary>An OAuth access token for a mail protocol (EWS or Graph). Its text never appears in <see cref="ToString"/>, logs or errors.</summary>
public sealed class AccessToken
{
    public AccessToken(string token, DateTimeOffset expiresOn)
    {
        Token = !string.IsNullOrWhiteSpace(token) ? token : throw new ArgumentException("The access token is empty.", nameof(token));
        ExpiresOn = expiresOn;
    }

    public string Token { get; }

    public DateTimeOffset ExpiresOn { get; }

    public override string ToString() =>
        "AccessToken(expires " + ExpiresOn.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) + ")";
}
