using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Simulator.Ews.Operations;
using InboxPS.Simulator.Tenant;
using Microsoft.AspNetCore.Http;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// POST /EWS/Exchange.asmx, in the order Exchange applies its checks: server capacity (503), authentication (401), the
/// request itself (schema faults), impersonation (faults), the target mailbox's budget (throttling), then the operation,
/// with injected latency and faults around it.
/// </summary>
internal sealed class EwsEndpoint
{
    private readonly EwsServices _services;
    private readonly EwsAuthenticator _authenticator;
    private readonly ImpersonationRights _rights;
    private readonly Throttling _throttling;
    private readonly FaultInjector _faults;
    private readonly RequestSchemaCheck? _schema;
    private readonly ServiceTimeModel _serviceTime;

    public EwsEndpoint(EwsServices services, EwsAuthenticator authenticator, ImpersonationRights rights, Throttling throttling,
        FaultInjector faults, ServiceTimeModel serviceTime, RequestSchemaCheck? schema = null)
    {
        _schema = schema;
        _serviceTime = serviceTime;
        _services = services;
        _authenticator = authenticator;
        _rights = rights;
        _throttling = throttling;
        _faults = faults;
    }

    private MetricsRecorder Metrics => _services.Metrics;

    private TenantStore Store => _services.Store;

    public async Task HandleAsync(HttpContext context)
    {
        var slot = Metrics.Enter();
        try
        {
            AddCommonHeaders(context);
            if (slot.Working > _throttling.ServerCapacity)
            {
                Metrics.ServerFull();
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            var caller = _authenticator.Authenticate(context.Request, context.Response);
            if (caller is null)
            {
                Metrics.Unauthorized();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await HandleAuthenticatedAsync(context, caller, slot);
        }
        catch (EwsFaultException fault)
        {
            await SendFaultAsync(context, fault.Error);
        }
        finally
        {
            Metrics.Exit(slot);
        }
    }

    private async Task HandleAuthenticatedAsync(HttpContext context, EwsCaller caller, FrontEndCall slot)
    {
        EwsRequest request;
        try
        {
            request = EwsRequest.Parse(await ReadBodyAsync(context));
        }
        catch (EwsFaultException)
        {
            Metrics.Operation("Unknown");
            throw;
        }

        Metrics.Operation(request.Name);
        if (_schema?.Validate(request) is { Count: > 0 } schemaErrors)
        {
            Metrics.SchemaInvalid(schemaErrors[0]);
        }

        var operation = EwsOperation.Parse(request, _services);
        var target = ResolveTarget(context, request, caller);
        var flags = Store.Flags(target);
        if (!flags.EwsEnabled)
        {
            throw new EwsFaultException(EwsError.AccessDenied);
        }

        var admission = _throttling.Admit(target, operation.IsSync, flags);
        if (admission.Kind != AdmissionKind.Admitted)
        {
            await SendThrottledAsync(context, operation, target, admission);
            return;
        }

        var admitted = Stopwatch.GetTimestamp();
        var spent = TimeSpan.Zero;
        try
        {
            var (fault, delay) = _faults.Draw(target);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (await InjectFaultAsync(context, fault))
            {
                return;
            }

            var working = Stopwatch.GetTimestamp();

            var body = flags.MoveInProgress ? operation.RespondWithError(EwsError.MoveInProgress) : fault switch
            {
                // Errors Exchange returns inside a 200 answer: the operation did nothing.
                FaultKinds.MailboxStoreUnavailable => operation.RespondWithError(EwsError.MailboxStoreUnavailable),
                FaultKinds.TimeoutExpired => operation.RespondWithError(EwsError.TimeoutExpired),
                _ => operation.Respond(target),
            };
            var work = _serviceTime.Cost(operation.ItemsServed, body.Length);
            Metrics.Served(operation.Name, operation.SyncFolder, operation.ItemsServed, body.Length, work);
            // Inside the front-end and mailbox slots, as a busy backend holds them. The front end's place is free when
            // the service time has passed, whenever this process gets round to the answer.
            slot.ServedAt(ServiceTimeModel.EndOf(work, working));
            await ServiceTimeModel.SpendAsync(work, working, context.RequestAborted);

            // The budget is charged with the server time before sending: a slow reader does not use up the mailbox's budget.
            spent = Stopwatch.GetElapsedTime(admitted);
            Metrics.Exit(slot);
            await SendAsync(context, StatusCodes.Status200OK, body, fault);
        }
        finally
        {
            _throttling.Release(target, operation.IsSync, spent == TimeSpan.Zero ? Stopwatch.GetElapsedTime(admitted) : spent);
        }
    }

    /// <summary>The mailbox the request acts on: the impersonated one, or the caller's own when there is no header.</summary>
    private int ResolveTarget(HttpContext context, EwsRequest request, EwsCaller caller)
    {
        if (!request.HasImpersonationHeader)
        {
            if (caller.IsAppOnly || caller.UserIndex is not { } own)
            {
                throw new EwsFaultException(EwsError.ImpersonationHeaderRequired);
            }

            return Store.Flags(own).HasMailbox ? own : throw new EwsFaultException(EwsError.NonExistentMailbox(Store.Directory.PrimarySmtp(own)));
        }

        var sid = request.Impersonation ?? throw new EwsFaultException(EwsError.ImpersonationHeaderInvalid);
        var user = Store.Directory.Find(sid.Value);
        if (user is null || !Store.Flags(user.Index).HasMailbox)
        {
            throw new EwsFaultException(EwsError.NonExistentMailbox(sid.Value));
        }

        if (!_rights.Allows(caller, user.Index, Store.Flags(user.Index)))
        {
            throw new EwsFaultException(EwsError.ImpersonateUserDenied);
        }

        var anchor = context.Request.Headers["X-AnchorMailbox"].ToString();
        if (anchor.Length == 0)
        {
            Metrics.MissingAnchor();
        }
        else if (Store.Directory.Find(anchor)?.Index != user.Index)
        {
            Metrics.MismatchedAnchor();
        }

        return user.Index;
    }

    private Task SendThrottledAsync(HttpContext context, EwsOperation operation, int target, Admission admission)
    {
        if (admission.Kind == AdmissionKind.ConnectionCountExceeded)
        {
            Metrics.ConnectionCountExceeded();
            return SendFaultAsync(context, EwsError.ExceededConnectionCount(_throttling.MaxConcurrency));
        }

        switch (admission.Kind)
        {
            case AdmissionKind.SyncCallsExceeded:
            case AdmissionKind.BackingOff when admission.SyncCallsCause:
                Metrics.ServerBusyMessage();
                var busy = EwsError.ServerBusy(admission.BackOffMilliseconds, "ConcurrentSyncCalls", _throttling.MaxSyncCalls);
                return SendAsync(context, StatusCodes.Status200OK, operation.RespondWithError(busy), FaultKinds.None);
            default:
                if (admission.Kind == AdmissionKind.Violation)
                {
                    Metrics.Violation(target);
                }

                Metrics.ServerBusyFault();
                return SendFaultAsync(context, EwsError.ServerBusy(admission.BackOffMilliseconds));
        }
    }

    /// <summary>Faults that replace the answer; slow and truncated bodies happen while sending.</summary>
    private async Task<bool> InjectFaultAsync(HttpContext context, FaultKinds fault)
    {
        if (fault == FaultKinds.None)
        {
            return false;
        }

        Metrics.Fault(fault.ToString());
        switch (fault)
        {
            case FaultKinds.Http500:
                await SendFaultAsync(context, EwsError.InternalServerError);
                return true;
            case FaultKinds.Http503:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return true;
            case FaultKinds.ConnectionReset:
                context.Abort();
                return true;
            case FaultKinds.EntityExpansion or FaultKinds.GiantBody or FaultKinds.EndlessBody:
                await HostileAnswers.SendAsync(context, fault);
                return true;
            default:
                return false;
        }
    }

    private Task SendFaultAsync(HttpContext context, EwsError error)
    {
        Metrics.Error(error.Code);
        return SendAsync(context, StatusCodes.Status500InternalServerError, Soap.Fault(error.Code, error.Message, error.MessageXml), FaultKinds.None);
    }

    private async Task SendAsync(HttpContext context, int status, byte[] body, FaultKinds fault)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/xml; charset=utf-8";
        response.ContentLength = body.Length;
        if (fault is FaultKinds.SlowBody or FaultKinds.TruncatedBody)
        {
            var half = body.Length / 2;
            await response.Body.WriteAsync(body.AsMemory(0, half), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
            if (fault == FaultKinds.TruncatedBody)
            {
                context.Abort();
                return;
            }

            await Task.Delay(_faults.SlowBodyDelay, context.RequestAborted);
            await response.Body.WriteAsync(body.AsMemory(half), context.RequestAborted);
            return;
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<Stream> ReadBodyAsync(HttpContext context)
    {
        var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > EwsRequest.MaxBytes)
        {
            throw new EwsFaultException(EwsError.SchemaValidation("The request is larger than the simulator accepts (4 MB)."));
        }

        buffer.Position = 0;
        return buffer;
    }

    private static void AddCommonHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["request-id"] = Guid.NewGuid().ToString();
        headers["X-FEServer"] = "SIMFE01";
        headers["X-BEServer"] = "SIMBE01";
        var clientRequestId = context.Request.Headers["client-request-id"].ToString();
        if (clientRequestId.Length > 0 && "true".Equals(context.Request.Headers["return-client-request-id"].ToString(), StringComparison.OrdinalIgnoreCase))
        {
            headers["client-request-id"] = clientRequestId;
        }
    }
}
