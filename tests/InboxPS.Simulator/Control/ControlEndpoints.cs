using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace InboxPS.Simulator.Control;

/// <summary>
/// The control API under /control/: JSON over HTTPS, no authentication, loopback callers only. Each endpoint is a thin
/// mapping onto <see cref="SimulatorControl"/>; README.md lists them. Bad input is 400 {"error": "..."}.
/// </summary>
internal sealed class ControlEndpoints
{
    private readonly SimulatorControl _control;
    private readonly Func<ExchangeSimulator> _simulator;

    public ControlEndpoints(SimulatorControl control, Func<ExchangeSimulator> simulator)
    {
        _control = control;
        _simulator = simulator;
    }

    public void Map(WebApplication app)
    {
        var c = app.MapGroup("/control").AddEndpointFilter(async (context, next) =>
            IPAddress.IsLoopback(context.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None)
                ? await Guarded(() => next(context))
                : Results.StatusCode(StatusCodes.Status403Forbidden));

        c.MapGet("/", () => Results.Text(_simulator().ConnectionInfoJson(), "application/json"));
        c.MapGet("/metrics", () => _control.Metrics);
        c.MapPost("/metrics/reset", () => Ok(_control.ResetMetrics));
        c.MapGet("/issued-secrets", () => _control.IssuedSecrets);
        c.MapGet("/users", (int? skip, int? take) => _control.ListUsers(skip ?? 0, take ?? int.MaxValue));
        c.MapGet("/users/{mailbox}", (string mailbox) => _control.GetUser(mailbox));
        c.MapGet("/mailboxes/{mailbox}/folders", (string mailbox) => _control.GetFolders(mailbox));
        c.MapGet("/mailboxes/{mailbox}/items", (string mailbox, string? folder) => _control.GetItems(mailbox, folder ?? "inbox"));
        c.MapPost("/mailboxes/{mailbox}/changes", (string mailbox, ChangesRequest r) =>
            _control.InjectChanges(mailbox, r.Folder ?? "inbox", r.Creates, r.Updates, r.Deletes, r.ReadFlagChanges));
        c.MapPost("/mailboxes/{mailbox}/items", (string mailbox, CreateItemRequest r) =>
            new { itemId = _control.CreateItem(mailbox, r.Folder ?? "inbox", r.Subject) });
        c.MapPost("/mailboxes/{mailbox}/folders", (string mailbox, FolderRequest r) =>
            new { folderId = _control.CreateFolder(mailbox, Required(r.DisplayName, "displayName"), r.ParentFolder ?? "inbox") });
        c.MapPost("/mailboxes/{mailbox}/folders/rename", (string mailbox, FolderRequest r) =>
            Ok(() => _control.RenameFolder(mailbox, Required(r.Folder, "folder"), Required(r.DisplayName, "displayName"))));
        c.MapPost("/mailboxes/{mailbox}/folders/delete", (string mailbox, FolderRequest r) =>
            Ok(() => _control.DeleteFolder(mailbox, Required(r.Folder, "folder"))));
        c.MapPost("/mailboxes/{mailbox}/state", (string mailbox, MailboxStateChange r) => Ok(() => _control.SetMailboxState(mailbox, r)));
        c.MapPost("/mailboxes/{mailbox}/throttle", (string mailbox, ThrottleRequest r) => Ok(() => _control.ThrottleMailbox(mailbox, r.BusyCalls, Ms(r.BackOffMs))));
        c.MapGet("/mailboxes/{mailbox}/budget", (string mailbox) => new { balanceMs = _control.GetBudgetBalance(mailbox).TotalMilliseconds });
        c.MapPost("/items/update", (ItemRequest r) => new { found = _control.UpdateItem(Required(r.ItemId, "itemId"), r.Subject) });
        c.MapPost("/items/flag", (ItemRequest r) => new { found = _control.FlagItem(Required(r.ItemId, "itemId")) });
        c.MapPost("/items/read-flag", (ItemRequest r) => new { found = _control.SetReadFlag(Required(r.ItemId, "itemId"), r.IsRead ?? true) });
        c.MapPost("/items/delete", (ItemRequest r) => new { found = _control.DeleteItem(Required(r.ItemId, "itemId")) });
        c.MapPost("/sync-states/invalidate", (InvalidateRequest r) => Ok(() => _control.InvalidateSyncStates(r.Mailbox, r.Folder)));
        c.MapPost("/rights", (RightsRequest r) => Ok(() => _control.SetImpersonationRights(Required(r.Principal, "principal"), r.Scope, r.Mailboxes)));
        c.MapPost("/app-permission", (AppPermissionRequest r) => Ok(() => _control.SetAppPermission(Required(r.ClientId, "clientId"), r.Granted)));
        c.MapPost("/faults", (FaultsRequest r) => Ok(() => _control.SetFaults(r.Rate, r.Kinds, Ms(r.LatencyMs), Ms(r.JitterMs), Ms(r.SlowBodyDelayMs))));
        c.MapPost("/faults/inject", (InjectFaultRequest r) => Ok(() => _control.InjectFault(r.Kind, r.Count ?? 1, r.Mailbox)));
        c.MapPost("/faults/clear", () => Ok(_control.ClearInjectedFaults));
        c.MapPost("/throttling", (ThrottlingRequest r) => Ok(() => _control.SetThrottling(
            r.MaxConcurrencyPerMailbox, r.MaxConcurrentSyncCallsPerMailbox, r.ServerCapacity, Ms(r.BackOffMs), Ms(r.BackOffGraceMs),
            Ms(r.EwsMaxBurstMs), Ms(r.EwsRechargeRateMs), Ms(r.EwsCutoffBalanceMs), Ms(r.MaxBudgetBackOffMs))));
        c.MapPost("/service-time", (ServiceTimeRequest r) => Ok(() => _control.SetServiceTime(Ms(r.CallMs), Ms(r.ItemMs), Ms(r.KilobyteMs))));
        c.MapPost("/throttling/capacity-schedule", (CapacityScheduleRequest r) => Ok(() => _control.ScheduleServerCapacity(
            (r.Steps ?? Array.Empty<CapacityStep>()).Select(s => (TimeSpan.FromMilliseconds(s.AfterMs), s.ServerCapacity)))));
        c.MapPost("/throttling/clear-backoffs", () => Ok(_control.ClearBackOffs));
        c.MapPost("/token-lifetime", (TokenLifetimeRequest r) => Ok(() => _control.TokenLifetime = TimeSpan.FromSeconds(r.Seconds)));
        c.MapPost("/refresh-tokens/revoke", (UserRequest? r) => Ok(() => _control.RevokeRefreshTokens(r?.User)));
        c.MapPost("/service-account/password", (PasswordRequest r) => Ok(() => _control.ChangeServiceAccountPassword(Required(r.Password, "password"))));
        c.MapPost("/basic-auth", (BasicAuthRequest r) => Ok(() => _control.SetBasicAuth(r.Allowed)));
        c.MapPost("/items/move", (ItemRequest r) => new { itemId = _control.MoveItem(Required(r.ItemId, "itemId"), Required(r.Folder, "folder")) });
        c.MapGet("/graph/ids", (string itemId, bool? immutable) => new { graphId = _control.GraphItemId(itemId, immutable ?? false) });
        c.MapPost("/graph/permissions", (GraphPermissionsRequest r) => Ok(() => _control.SetGraphPermissions(Required(r.ClientId, "clientId"), r.Roles ?? Array.Empty<string>())));
        c.MapPost("/graph/scope", (RightsRequest r) => Ok(() => _control.SetGraphMailboxScope(Required(r.Principal, "principal"), r.Scope, r.Mailboxes)));
        c.MapPost("/graph/cloud", (GraphCloudRequest r) => Ok(() => _control.GraphCloud = r.Cloud));
        c.MapPost("/graph/throttling", (GraphThrottlingRequest r) => Ok(() => _control.SetGraphThrottling(
            r.MaxConcurrencyPerMailbox, r.RequestsPerWindow, Ms(r.WindowMs), Ms(r.RetryAfterMs), Ms(r.LatencyMs))));
        c.MapPost("/graph/throttling/clear-retry-afters", () => Ok(_control.ClearGraphRetryAfters));
        c.MapPost("/graph/quirks", (GraphQuirkRequest r) => Ok(() => _control.InjectGraphQuirk(r.Quirk, r.Count ?? 1, r.Mailbox)));
        c.MapPost("/graph/quirks/rate", (GraphQuirkRateRequest r) => Ok(() => _control.SetGraphQuirkRate(r.Quirk, r.Rate)));
        c.MapPost("/graph/quirks/clear", () => Ok(_control.ClearGraphQuirks));
        c.MapPost("/graph/stale-links", (StaleLinksRequest r) => Ok(() => _control.RefuseStaleDeltaLinks(r.Refuse, r.Mailbox)));
        c.MapPost("/graph/delta-tokens/expire", (InvalidateRequest r) => Ok(() => _control.ExpireDeltaTokens(r.Mailbox, r.Folder)));
        c.MapGet("/device-codes", () => _control.PendingDeviceCodes);
        c.MapPost("/device-codes/approve", (DeviceCodeRequest r) => new { found = _control.ApproveDeviceCode(Required(r.UserCode, "userCode"), r.User) });
        c.MapPost("/device-codes/decline", (DeviceCodeRequest r) => new { found = _control.DeclineDeviceCode(Required(r.UserCode, "userCode")) });
    }

    private static async ValueTask<object?> Guarded(Func<ValueTask<object?>> next)
    {
        try
        {
            return await next();
        }
        catch (ArgumentException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static IResult Ok(Action action)
    {
        action();
        return Results.Json(new { ok = true });
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"'{name}' is required.") : value;

    private static TimeSpan? Ms(double? milliseconds) => milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    internal sealed record ChangesRequest(string? Folder, int Creates, int Updates, int Deletes, int ReadFlagChanges);

    internal sealed record CreateItemRequest(string? Folder, string? Subject);

    internal sealed record FolderRequest(string? Folder, string? DisplayName, string? ParentFolder);

    internal sealed record ThrottleRequest(int BusyCalls, double? BackOffMs);

    internal sealed record ItemRequest(string? ItemId, string? Subject, bool? IsRead, string? Folder);

    internal sealed record GraphPermissionsRequest(string? ClientId, IReadOnlyList<string>? Roles);

    internal sealed record GraphCloudRequest(GraphCloud Cloud);

    internal sealed record GraphThrottlingRequest(int? MaxConcurrencyPerMailbox, int? RequestsPerWindow, double? WindowMs, double? RetryAfterMs, double? LatencyMs);

    internal sealed record GraphQuirkRequest(GraphQuirk Quirk, int? Count, string? Mailbox);

    internal sealed record GraphQuirkRateRequest(GraphQuirk Quirk, double Rate);

    internal sealed record StaleLinksRequest(bool Refuse, string? Mailbox);

    internal sealed record InvalidateRequest(string? Mailbox, string? Folder);

    internal sealed record RightsRequest(string? Principal, ImpersonationScope Scope, IReadOnlyList<string>? Mailboxes);

    internal sealed record AppPermissionRequest(string? ClientId, bool Granted);

    internal sealed record FaultsRequest(double? Rate, FaultKinds? Kinds, double? LatencyMs, double? JitterMs, double? SlowBodyDelayMs);

    internal sealed record InjectFaultRequest(FaultKinds Kind, int? Count, string? Mailbox);

    internal sealed record ThrottlingRequest(int? MaxConcurrencyPerMailbox, int? MaxConcurrentSyncCallsPerMailbox, int? ServerCapacity, double? BackOffMs, double? BackOffGraceMs,
        double? EwsMaxBurstMs, double? EwsRechargeRateMs, double? EwsCutoffBalanceMs, double? MaxBudgetBackOffMs);

    internal sealed record CapacityStep(double AfterMs, int ServerCapacity);

    internal sealed record CapacityScheduleRequest(IReadOnlyList<CapacityStep>? Steps);

    internal sealed record ServiceTimeRequest(double? CallMs, double? ItemMs, double? KilobyteMs);

    internal sealed record TokenLifetimeRequest(double Seconds);

    internal sealed record UserRequest(string? User);

    internal sealed record PasswordRequest(string? Password);

    internal sealed record BasicAuthRequest(bool Allowed);

    internal sealed record DeviceCodeRequest(string? UserCode, string? User);
}
