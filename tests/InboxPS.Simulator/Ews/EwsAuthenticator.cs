using System;
using System.Net.Http.Headers;
using System.Text;
using InboxPS.Simulator.Identity;
using InboxPS.Simulator.Tenant;
using Microsoft.AspNetCore.Http;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// Authenticates EWS requests like Exchange: a bearer token from the identity endpoint (app-only or delegated), or Basic
/// with the service account's password when Basic is allowed (Exchange Server). Refusals are 401 with the challenge
/// headers Exchange sends (WWW-Authenticate Bearer ... error="invalid_token", x-ms-diagnostics).
/// </summary>
internal sealed class EwsAuthenticator
{
    private readonly TokenService _tokens;
    private readonly IdentityState _identity;
    private readonly TenantDirectory _directory;

    public EwsAuthenticator(TokenService tokens, IdentityState identity, TenantDirectory directory)
    {
        _tokens = tokens;
        _identity = identity;
        _directory = directory;
    }

    public bool AllowBasic { get; set; }

    /// <summary>The caller, or null after writing the 401 challenge headers to <paramref name="response"/>.</summary>
    public EwsCaller? Authenticate(HttpRequest request, HttpResponse response)
    {
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header);
        if ("Bearer".Equals(header?.Scheme, StringComparison.OrdinalIgnoreCase) && header!.Parameter is { } token)
        {
            var rejection = _tokens.Validate(token, DateTimeOffset.UtcNow, out var principal);
            if (rejection is null && principal is not null)
            {
                return principal.IsAppOnly
                    ? new EwsCaller(principal.AppId, true, null)
                    : new EwsCaller(ImpersonationRights.UserKey(principal.UserIndex ?? -1), false, principal.UserIndex);
            }

            Challenge(response, rejection);
            return null;
        }

        if (AllowBasic && "Basic".Equals(header?.Scheme, StringComparison.OrdinalIgnoreCase) && TryBasic(header!.Parameter) is { } basic)
        {
            return basic;
        }

        Challenge(response, null);
        return null;
    }

    private EwsCaller? TryBasic(string? parameter)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter ?? ""));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            return null;
        }

        // DOMAIN\user is the down-level logon form admins often type for on-premises Exchange.
        var name = decoded[..colon];
        var slash = name.IndexOf('\\');
        var user = slash >= 0 ? _directory.Find(name[(slash + 1)..] + "@" + TenantDirectory.Domain) : _directory.Find(name);
        // svc-unlicensed@ shares the service account's password: the broken second service account of an on-premises test.
        var serviceAccount = user is { Index: 0 } or { Broken: BrokenKind.UnlicensedServiceAccount };
        return serviceAccount && _identity.ServiceAccountPasswordMatches(decoded[(colon + 1)..])
            ? new EwsCaller(ImpersonationRights.UserKey(user!.Index), false, user.Index)
            : null;
    }

    private void Challenge(HttpResponse response, TokenRejection? rejection)
    {
        var bearer = "Bearer client_id=\"" + TokenService.ExchangeAppId + "\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", "
            + "token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"" + _tokens.TenantUrl("oauth2/authorize") + "\"";
        if (rejection is not null)
        {
            bearer += ", error=\"invalid_token\"";
            response.Headers["x-ms-diagnostics"] = $"{rejection.DiagnosticCode};reason=\"{rejection.Reason}\";error_category=\"{rejection.Category}\"";
        }

        response.Headers.Append("WWW-Authenticate", bearer);
        if (AllowBasic)
        {
            response.Headers.Append("WWW-Authenticate", "Basic realm=\"127.0.0.1\"");
        }
    }
}
