using System;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace InboxPS.Simulator.Identity;

/// <summary>
/// An OAuth error exactly as Entra ID shapes it: error, error_description starting "AADSTSnnnn:" and ending with the
/// trace and correlation ids and a timestamp, error_codes, timestamp, trace_id, correlation_id, error_uri. MSAL turns
/// these into MsalServiceException / MsalUiRequiredException with the same code.
/// </summary>
internal sealed record EntraError(int Status, string Error, int Code, string Message)
{
    public static EntraError InvalidClientSecret(string clientId) => new(401, "invalid_client", 7000215,
        $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.");

    public static EntraError TenantNotFound(string tenant) => new(400, "invalid_request", 90002,
        $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");

    public static EntraError UnknownClient(string clientId, string tenantId) => new(400, "unauthorized_client", 700016,
        $"Application with identifier '{clientId}' was not found in the directory '{tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.");

    public static EntraError RevokedRefreshToken() => new(400, "invalid_grant", 50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.");

    public static EntraError InvalidGrant(int code, string message) => new(400, "invalid_grant", code, message);

    public static EntraError InvalidScope(string scope) => new(400, "invalid_scope", 70011,
        $"The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid.");

    public static EntraError InvalidRequest(int code, string message) => new(400, "invalid_request", code, message);

    public static EntraError InvalidClient(int code, string message) => new(401, "invalid_client", code, message);

    public IResult ToResult(HttpContext context)
    {
        var now = DateTimeOffset.UtcNow;
        var traceId = Guid.NewGuid().ToString();
        var correlationId = context.Request.Headers["client-request-id"].ToString() is { Length: > 0 } given && Guid.TryParse(given, out _)
            ? given
            : Guid.NewGuid().ToString();
        var timestamp = now.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Results.Json(
            new
            {
                error = Error,
                error_description = $"AADSTS{Code}: {Message} Trace ID: {traceId} Correlation ID: {correlationId} Timestamp: {timestamp}",
                error_codes = new[] { Code },
                timestamp,
                trace_id = traceId,
                correlation_id = correlationId,
                error_uri = "https://login.microsoftonline.com/error?code=" + Code.ToString(CultureInfo.InvariantCulture),
            },
            statusCode: Status);
    }
}
