using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Graph;
using InboxPS.Simulator.Security;
using InboxPS.Simulator.Tenant;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace InboxPS.Simulator.Identity;

/// <summary>
/// The Entra-ID-shaped endpoints MSAL talks to, under /{tenant}/: OIDC discovery, JWKS, /oauth2/v2.0/token (client
/// credentials with a secret or a certificate assertion, authorization code with PKCE, refresh token, device code),
/// /oauth2/v2.0/devicecode, /oauth2/v2.0/authorize (auto-approves; see README), and the App Service style managed
/// identity endpoint (/msi/token with the X-IDENTITY-HEADER secret).
/// </summary>
internal sealed class IdentityEndpoints
{
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";
    private static readonly string[] s_oidcScopes = { "openid", "profile", "offline_access", "email" };

    private readonly IdentityState _identity;
    private readonly TokenService _tokens;
    private readonly TenantDirectory _directory;
    private readonly KeyMaterial _keys;
    private readonly MetricsRecorder _metrics;
    private readonly Func<TimeSpan> _deviceCodeInterval;

    public IdentityEndpoints(IdentityState identity, TokenService tokens, TenantDirectory directory, KeyMaterial keys, MetricsRecorder metrics, Func<TimeSpan> deviceCodeInterval)
    {
        _identity = identity;
        _tokens = tokens;
        _directory = directory;
        _keys = keys;
        _metrics = metrics;
        _deviceCodeInterval = deviceCodeInterval;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext c, string tenant) => Tenant(c, tenant, Discovery));
        app.MapGet("/{tenant}/.well-known/openid-configuration", (HttpContext c, string tenant) => Tenant(c, tenant, Discovery));
        app.MapGet("/{tenant}/discovery/v2.0/keys", (HttpContext c, string tenant) => Tenant(c, tenant, _ => Keys()));
        app.MapGet("/{tenant}/discovery/keys", (HttpContext c, string tenant) => Tenant(c, tenant, _ => Keys()));
        app.MapPost("/{tenant}/oauth2/v2.0/token", async (HttpContext c, string tenant) => IsTenant(tenant) ? Token(c, tenant, await c.Request.ReadFormAsync()) : TenantNotFound(c, tenant));
        app.MapPost("/{tenant}/oauth2/v2.0/devicecode", async (HttpContext c, string tenant) => IsTenant(tenant) ? DeviceCode(c, await c.Request.ReadFormAsync()) : TenantNotFound(c, tenant));
        app.MapGet("/{tenant}/oauth2/v2.0/authorize", (HttpContext c, string tenant) => Tenant(c, tenant, Authorize));
        app.MapGet("/devicelogin", () => Results.Text(
            "This simulator has no sign-in page. Approve the code with POST /control/device-codes/approve (see the simulator's README).", "text/plain"));
        app.MapGet("/msi/token", ManagedIdentity);
    }

    private bool IsTenant(string tenant) =>
        tenant.Equals(_identity.TenantId, StringComparison.OrdinalIgnoreCase)
        || tenant.Equals(TenantDirectory.Domain, StringComparison.OrdinalIgnoreCase)
        || tenant.Equals(TenantDirectory.RoutingDomain, StringComparison.OrdinalIgnoreCase);

    private IResult Tenant(HttpContext context, string tenant, Func<HttpContext, IResult> handler) =>
        IsTenant(tenant) ? handler(context) : TenantNotFound(context, tenant);

    private static IResult TenantNotFound(HttpContext context, string tenant) => EntraError.TenantNotFound(tenant).ToResult(context);

    private IResult Discovery(HttpContext context) => Results.Json(new Dictionary<string, object?>
    {
        ["issuer"] = _tokens.Issuer,
        ["authorization_endpoint"] = _tokens.TenantUrl("oauth2/v2.0/authorize"),
        ["token_endpoint"] = _tokens.TenantUrl("oauth2/v2.0/token"),
        ["device_authorization_endpoint"] = _tokens.TenantUrl("oauth2/v2.0/devicecode"),
        ["jwks_uri"] = _tokens.TenantUrl("discovery/v2.0/keys"),
        ["end_session_endpoint"] = _tokens.TenantUrl("oauth2/v2.0/logout"),
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" },
        ["response_types_supported"] = new[] { "code" },
        ["response_modes_supported"] = new[] { "query" },
        ["subject_types_supported"] = new[] { "pairwise" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
        ["code_challenge_methods_supported"] = new[] { "S256", "plain" },
        ["tenant_region_scope"] = null,
        ["cloud_instance_name"] = "simulator.test",
    });

    private IResult Keys()
    {
        var parameters = _keys.TokenSigningKey.ExportParameters(false);
        return Results.Json(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = _keys.TokenKeyId, n = IdentityState.Base64Url(parameters.Modulus!), e = IdentityState.Base64Url(parameters.Exponent!) },
            },
        });
    }

    private IResult Token(HttpContext context, string tenant, IFormCollection form)
    {
        var grant = form["grant_type"].ToString();
        _metrics.Grant(grant == DeviceCodeGrant ? "device_code" : grant.Length == 0 ? "(none)" : grant);
        var result = grant switch
        {
            "client_credentials" => ClientCredentials(context, tenant, form),
            "authorization_code" => ConfidentialCheck(context, tenant, form) ?? AuthorizationCode(form),
            "refresh_token" => ConfidentialCheck(context, tenant, form) ?? RefreshToken(form),
            "device_code" or DeviceCodeGrant => DeviceCodeToken(form),
            _ => EntraError.InvalidRequest(70003, $"The app requested an unsupported grant type '{grant}'."),
        };
        return result is EntraError error ? error.ToResult(context) : (IResult)result;
    }

    private object ClientCredentials(HttpContext context, string tenant, IFormCollection form)
    {
        var clientId = form["client_id"].ToString();
        if (AuthenticateClient(context, tenant, form, clientId) is { } refused)
        {
            return refused;
        }

        var scope = form["scope"].ToString().Trim();
        var graphRoot = GraphClouds.RootOfScope(scope);
        if (graphRoot is null && !scope.Equals(TokenService.ExchangeResource + "/.default", StringComparison.OrdinalIgnoreCase)
            && !scope.Equals(TokenService.ExchangeAppId + "/.default", StringComparison.OrdinalIgnoreCase))
        {
            return scope.EndsWith("/.default", StringComparison.Ordinal)
                ? UnknownResource(scope)
                : new EntraError(400, "invalid_scope", 1002012,
                    $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        }

        var now = DateTimeOffset.UtcNow;
        var accessToken = _tokens.AppToken(clientId, now, out var expires, graphRoot);
        return Results.Json(new { token_type = "Bearer", expires_in = Seconds(expires - now), ext_expires_in = Seconds(expires - now), access_token = accessToken });
    }

    /// <summary>Public clients redeem codes and refresh tokens as they are; the confidential app must prove itself too.</summary>
    private EntraError? ConfidentialCheck(HttpContext context, string tenant, IFormCollection form)
    {
        var clientId = form["client_id"].ToString();
        return _identity.IsConfidentialApp(clientId) ? AuthenticateClient(context, tenant, form, clientId) : null;
    }

    /// <summary>Checks a confidential client's secret or certificate assertion; null when it is who it says.</summary>
    private EntraError? AuthenticateClient(HttpContext context, string tenant, IFormCollection form, string clientId)
    {
        if (!_identity.IsKnownClient(clientId))
        {
            return EntraError.UnknownClient(clientId, _identity.TenantId);
        }

        var assertionType = form["client_assertion_type"].ToString();
        var assertion = form["client_assertion"].ToString();
        _identity.Issued.ClientAssertion(assertion);
        var secret = form["client_secret"].ToString();
        if (!_identity.IsConfidentialApp(clientId) || (assertion.Length == 0 && secret.Length == 0))
        {
            return EntraError.InvalidClient(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }

        if (secret.Length > 0)
        {
            return _identity.ClientSecretMatches(secret) ? null : EntraError.InvalidClientSecret(clientId);
        }

        if (assertionType != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || !Jwt.TryParse(assertion, out var jwt))
        {
            return EntraError.InvalidClient(50027, "JWT token is invalid or malformed.");
        }

        var tokenEndpoint = new Uri(context.Request.Scheme + "://" + context.Request.Host + "/" + tenant + "/oauth2/v2.0/token").ToString();
        using var key = _keys.AppCertificate.GetRSAPublicKey()!;
        if (!jwt.SignatureMatches(key))
        {
            return EntraError.InvalidClient(700027, "Client assertion failed signature validation.");
        }

        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (jwt.Claim("iss") != clientId || jwt.Claim("sub") != clientId || jwt.Claim("jti") is null
            || !(jwt.Claim("aud") is { } aud && (aud.Equals(tokenEndpoint, StringComparison.OrdinalIgnoreCase) || aud.Equals(_tokens.Issuer, StringComparison.OrdinalIgnoreCase))))
        {
            return EntraError.InvalidClient(700023, "Client assertion audience claim does not match Realm issuer, or iss/sub is not the client id.");
        }

        return jwt.NumericClaim("exp") is { } exp && exp > nowSeconds - 300 && (jwt.NumericClaim("nbf") ?? 0) <= nowSeconds + 300
            ? null
            : EntraError.InvalidClient(700024, "Client assertion is not within its valid time range.");
    }

    private object AuthorizationCode(IFormCollection form)
    {
        var clientId = form["client_id"].ToString();
        if (!_identity.AuthorizationCodes.TryGetValue(form["code"].ToString(), out var grant) || grant.ClientId != clientId)
        {
            return EntraError.InvalidGrant(70000, "The provided value for the 'code' parameter is not valid.");
        }

        if (System.Threading.Interlocked.Exchange(ref grant.Redeemed, 1) != 0)
        {
            return EntraError.InvalidGrant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
        }

        if (grant.Expires < DateTimeOffset.UtcNow)
        {
            return EntraError.InvalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity.");
        }

        if (!string.Equals(grant.RedirectUri, form["redirect_uri"].ToString(), StringComparison.Ordinal))
        {
            return EntraError.InvalidGrant(50148, "The redirect_uri does not match the one used in the authorization request.");
        }

        if (grant.CodeChallenge is not null && !PkceMatches(grant, form["code_verifier"].ToString()))
        {
            return EntraError.InvalidGrant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }

        return UserTokens(grant.ApprovedUser!, clientId, grant.Scopes);
    }

    private object RefreshToken(IFormCollection form)
    {
        var clientId = form["client_id"].ToString();
        if (!_identity.TryGetRefreshGrant(form["refresh_token"].ToString(), out var grant, out var revoked) || grant.ClientId != clientId)
        {
            return EntraError.InvalidGrant(9002313, "Invalid request. Request is malformed or invalid.");
        }

        return revoked ? EntraError.RevokedRefreshToken() : UserTokens(_directory.Get(grant.UserIndex), clientId, grant.Scopes);
    }

    private object DeviceCodeToken(IFormCollection form)
    {
        if (!_identity.DeviceCodes.TryGetValue(form["device_code"].ToString(), out var grant) || grant.ClientId != form["client_id"].ToString())
        {
            return new EntraError(400, "bad_verification_code", 70019, "Verification code is invalid or has expired.");
        }

        if (grant.Expires < DateTimeOffset.UtcNow)
        {
            return new EntraError(400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
        }

        if (grant.Declined)
        {
            return new EntraError(400, "authorization_declined", 70000, "The user declined the sign-in request.");
        }

        if (grant.ApprovedUser is null)
        {
            return new EntraError(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
        }

        return System.Threading.Interlocked.Exchange(ref grant.Redeemed, 1) == 0
            ? UserTokens(grant.ApprovedUser, grant.ClientId, grant.Scopes)
            : new EntraError(400, "bad_verification_code", 70019, "Verification code is invalid or has expired.");
    }

    private IResult DeviceCode(HttpContext context, IFormCollection form)
    {
        _metrics.Grant("device_code_request");
        var clientId = form["client_id"].ToString();
        if (!_identity.IsKnownClient(clientId))
        {
            return EntraError.UnknownClient(clientId, _identity.TenantId).ToResult(context);
        }

        if (ParseDelegatedScopes(form["scope"].ToString()) is not { } scopes)
        {
            return EntraError.InvalidScope(form["scope"].ToString()).ToResult(context);
        }

        var userCode = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 9);
        var deviceCode = IdentityState.Base64Url(RandomNumberGenerator.GetBytes(32));
        var verificationUri = new Uri(context.Request.Scheme + "://" + context.Request.Host + "/devicelogin").ToString();
        _identity.DeviceCodes[deviceCode] = new PendingGrant { ClientId = clientId, Scopes = scopes, Expires = DateTimeOffset.UtcNow.AddMinutes(15), UserCode = userCode };
        return Results.Json(new
        {
            user_code = userCode,
            device_code = deviceCode,
            verification_uri = verificationUri,
            expires_in = 900,
            interval = Math.Max(1, (int)_deviceCodeInterval().TotalSeconds),
            message = $"To sign in, use a web browser to open the page {verificationUri} and enter the code {userCode} to authenticate.",
        });
    }

    private IResult Authorize(HttpContext context)
    {
        var q = context.Request.Query;
        var clientId = q["client_id"].ToString();
        var redirectUri = q["redirect_uri"].ToString();
        if (!_identity.IsKnownClient(clientId))
        {
            return EntraError.UnknownClient(clientId, _identity.TenantId).ToResult(context);
        }

        if (!IsRegisteredRedirect(redirectUri))
        {
            return EntraError.InvalidRequest(50011, $"The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'.").ToResult(context);
        }

        var loginHint = q["login_hint"].ToString();
        var user = loginHint.Length == 0 ? _directory.ServiceAccount : _directory.Find(loginHint);
        var scopes = ParseDelegatedScopes(q["scope"].ToString());
        var (error, description) = q["response_type"] != "code" ? ("unsupported_response_type", "AADSTS900144: response_type must be 'code'.")
            : scopes is null ? ("invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
            : user is null ? ("invalid_request", $"AADSTS50034: The user account {loginHint} does not exist in the {_identity.TenantId} directory.")
            : (null, null);
        var state = q["state"].ToString();
        if (error is not null)
        {
            return Results.Redirect(AppendQuery(redirectUri, ("error", error), ("error_description", description!), ("state", state)));
        }

        var code = "0.Sim" + IdentityState.Base64Url(RandomNumberGenerator.GetBytes(32));
        _identity.AuthorizationCodes[code] = new PendingGrant
        {
            ClientId = clientId,
            Scopes = scopes!,
            Expires = DateTimeOffset.UtcNow.AddMinutes(10),
            RedirectUri = redirectUri,
            CodeChallenge = q["code_challenge"].ToString() is { Length: > 0 } challenge ? challenge : null,
            CodeChallengeMethod = q["code_challenge_method"].ToString(),
            ApprovedUser = user,
        };
        return Results.Redirect(AppendQuery(redirectUri, ("code", code), ("state", state), ("session_state", Guid.NewGuid().ToString())));
    }

    private IResult ManagedIdentity(HttpContext context)
    {
        _metrics.Grant("managed_identity");
        var header = context.Request.Headers["X-IDENTITY-HEADER"].ToString();
        if (header.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(_identity.ManagedIdentityHeader)))
        {
            return Results.Json(new { statusCode = 401, message = "Unauthorized: the X-IDENTITY-HEADER header is missing or wrong.", error = "invalid_request" }, statusCode: 401);
        }

        var resource = context.Request.Query["resource"].ToString().TrimEnd('/');
        if (resource.EndsWith("/.default", StringComparison.Ordinal))
        {
            resource = resource[..^"/.default".Length];
        }

        var graphRoot = GraphClouds.RootOfScope(resource + "/.default");
        if (graphRoot is null && !resource.Equals(TokenService.ExchangeResource, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(new { statusCode = 400, message = $"AADSTS500011: The resource principal named {resource} was not found in the tenant.", error = "invalid_resource" }, statusCode: 400);
        }

        var now = DateTimeOffset.UtcNow;
        var token = _tokens.AppToken(_identity.ManagedIdentityClientId, now, out var expires, graphRoot);
        return Results.Json(new
        {
            access_token = token,
            expires_on = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            resource = graphRoot ?? TokenService.ExchangeResource,
            token_type = "Bearer",
            client_id = _identity.ManagedIdentityClientId,
        });
    }

    private object UserTokens(DirectoryUser user, string clientId, IReadOnlyList<string> scopes)
    {
        var now = DateTimeOffset.UtcNow;
        var accessToken = _tokens.UserToken(user, clientId, now, out var expires);
        return Results.Json(new
        {
            token_type = "Bearer",
            scope = string.Join(' ', scopes),
            expires_in = Seconds(expires - now),
            ext_expires_in = Seconds(expires - now),
            access_token = accessToken,
            refresh_token = _identity.IssueRefreshToken(user.Index, clientId, scopes),
            id_token = _tokens.IdToken(user, clientId, now),
            client_info = _tokens.ClientInfo(user),
        });
    }

    /// <summary>The resource scopes of a delegated request (OIDC scopes removed); null if any is not Exchange's.</summary>
    private static IReadOnlyList<string>? ParseDelegatedScopes(string scope)
    {
        var resourceScopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !s_oidcScopes.Contains(s)).ToList();
        var delegated = TokenService.ExchangeResource + "/" + TokenService.DelegatedScope;
        return resourceScopes.Count > 0 && resourceScopes.All(s =>
            s.Equals(delegated, StringComparison.OrdinalIgnoreCase) || s.Equals(TokenService.ExchangeResource + "/.default", StringComparison.OrdinalIgnoreCase))
            ? new[] { delegated }
            : null;
    }

    private EntraError UnknownResource(string scope) => new(400, "invalid_resource", 500011,
        $"The resource principal named {scope[..^"/.default".Length]} was not found in the tenant named {_identity.TenantId}. This can happen if the application has not been installed by the administrator of the tenant.");

    /// <summary>Public-client redirect URIs as registered on a typical admin app: loopback, nativeclient, and oob.</summary>
    private static bool IsRegisteredRedirect(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri)
        && ((uri.Scheme == "http" && (uri.Host == "localhost" || uri.Host == "127.0.0.1"))
            || redirectUri.StartsWith("https://login.microsoftonline.com/common/oauth2/nativeclient", StringComparison.OrdinalIgnoreCase)
            || redirectUri == "urn:ietf:wg:oauth:2.0:oob");

    private static bool PkceMatches(PendingGrant grant, string verifier)
    {
        if (verifier.Length == 0)
        {
            return false;
        }

        var expected = grant.CodeChallengeMethod == "S256"
            ? IdentityState.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
            : verifier;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(grant.CodeChallenge!));
    }

    private static string AppendQuery(string uri, params (string Name, string Value)[] parameters) =>
        uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?")
        + string.Join("&", parameters.Where(p => p.Value.Length > 0).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value)));

    private static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Round(span.TotalSeconds));
}
