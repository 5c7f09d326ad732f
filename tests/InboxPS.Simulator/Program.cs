using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Simulator;

/// <summary>
/// The standalone simulator: dotnet run --project tests/InboxPS.Simulator -- --users 200 --seed 7 [--broken] ...
/// Prints one JSON line on stdout once ready, then runs until Ctrl+C, SIGTERM, or stdin closing.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SimulatorOptions? options;
        bool watchStdin;
        try
        {
            (options, watchStdin) = CommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            await Console.Error.WriteLineAsync(CommandLine.Usage);
            return 2;
        }

        if (options is null)
        {
            await Console.Out.WriteLineAsync(CommandLine.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        await using var simulator = await ExchangeSimulator.StartAsync(options, stop.Token);
        await Console.Out.WriteLineAsync(simulator.ConnectionInfoJson());
        await Console.Out.FlushAsync();
        if (watchStdin)
        {
            _ = Task.Run(() => StopWhenStdinCloses(stop));
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: fall through to dispose, which stops Kestrel and deletes the certificate files.
        }

        return 0;
    }

    /// <summary>A parent that started us with a pipe for stdin can stop us by closing it, even if it dies without signalling.</summary>
    private static void StopWhenStdinCloses(CancellationTokenSource stop)
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        stop.Cancel();
    }
}

/// <summary>Maps --options onto <see cref="SimulatorOptions"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        InboxPS Exchange simulator: EWS + Graph + identity endpoint on https://127.0.0.1:PORT (prints one JSON line when ready).
          --users N               generated mailboxes user0001@contoso.test.. (default 200)
          --seed N                seed for everything generated (default 7)
          --items-per-folder N    items in each Inbox; other folders get fractions (default 40)
          --port N                TCP port on 127.0.0.1 (default 0: any free port)
          --broken                add the broken users outofscope@, nolicense@, moving@, throttled@, svc-unlicensed@ (see README)
          --throttled-calls N     ErrorServerBusy answers throttled@ gives before recovering (default 3)
          --latency-ms N          fixed delay per EWS request (default 0)
          --jitter-ms N           up to this much extra delay per EWS request (default 0)
          --fault-rate X          fraction 0..1 of EWS requests that fail (default 0)
          --faults LIST           which: Http500,Http503,ConnectionReset,SlowBody,TruncatedBody (default all)
          --slow-body-ms N        stall of a SlowBody fault (default 2000)
          --max-concurrency N     EWSMaxConcurrency per mailbox (default 27)
          --max-sync-calls N      ConcurrentSyncCalls per mailbox (default 5)
          --server-capacity N     concurrent EWS requests before HTTP 503 (default 256)
          --backoff-ms N          BackOffMilliseconds sent with ErrorServerBusy (default 5000)
          --ews-max-burst-ms N    EwsMaxBurst: a mailbox's time budget, server milliseconds (default 300000)
          --ews-recharge-rate-ms N  EwsRechargeRate: server milliseconds regained per hour (default 900000)
          --ews-cutoff-balance-ms N  EwsCutoffBalance: deepest debt of a budget (default 3000000)
          --max-budget-backoff-ms N  longest back-off a budget in debt is told (default 300000)
          --call-ms X             service time per EWS/Graph call (default 0)
          --item-ms X             service time per item returned or fetched (default 0)
          --kb-ms X               service time per kilobyte of answer (default 0)
          --token-lifetime S      access token lifetime in seconds (default 3600)
          --device-code-interval S  polling interval for device code sign-in (default 1)
          --no-basic              refuse Basic authentication (Exchange Online behaviour)
          --graph-cloud NAME      Graph audience the /v1.0 endpoint accepts: Global, USGov, USGovDoD, China (default Global)
          --graph-max-concurrency N  concurrent Graph requests per app per mailbox (default 4)
          --graph-requests-per-window N  Graph requests per app per mailbox in 10 minutes (default 10000)
          --graph-retry-after S   Retry-After of a Graph 429, decimal seconds (default 1; 2.128 sends "2.128")
          --work-dir PATH         where certificate files go (default: a temp folder, deleted on exit)
          --ews-schema PATH       check every EWS request against PATH/messages.xsd and types.xsd (default: off)
          --no-stdin-exit         keep running when stdin closes (e.g. started with < /dev/null)
          --verbose               ASP.NET Core information logs on stderr
        """;

    /// <summary>The options, or null options when help was asked for.</summary>
    public static (SimulatorOptions? Options, bool WatchStdin) Parse(string[] args)
    {
        var o = new SimulatorOptions();
        var watchStdin = true;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name} needs a whole number.");
            double Number() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new ArgumentException($"{name} needs a number.");
            switch (name)
            {
                case "--help" or "-h" or "-?": return (null, false);
                case "--users": o.Users = Int(); break;
                case "--seed": o.Seed = Int(); break;
                case "--items-per-folder": o.ItemsPerFolder = Int(); break;
                case "--port": o.Port = Int(); break;
                case "--broken": o.BrokenMailboxes = true; break;
                case "--throttled-calls": o.ThrottledMailboxBusyCalls = Int(); break;
                case "--latency-ms": o.Latency = TimeSpan.FromMilliseconds(Number()); break;
                case "--jitter-ms": o.LatencyJitter = TimeSpan.FromMilliseconds(Number()); break;
                case "--fault-rate": o.FaultRate = Number(); break;
                case "--faults": o.FaultKinds = Enum.TryParse<FaultKinds>(Value(), ignoreCase: true, out var kinds) ? kinds : throw new ArgumentException("--faults: unknown fault kind."); break;
                case "--slow-body-ms": o.SlowBodyDelay = TimeSpan.FromMilliseconds(Number()); break;
                case "--max-concurrency": o.MaxConcurrencyPerMailbox = Int(); break;
                case "--max-sync-calls": o.MaxConcurrentSyncCallsPerMailbox = Int(); break;
                case "--server-capacity": o.ServerCapacity = Int(); break;
                case "--backoff-ms": o.BackOff = TimeSpan.FromMilliseconds(Number()); break;
                case "--ews-max-burst-ms": o.EwsMaxBurst = TimeSpan.FromMilliseconds(Number()); break;
                case "--ews-recharge-rate-ms": o.EwsRechargeRate = TimeSpan.FromMilliseconds(Number()); break;
                case "--ews-cutoff-balance-ms": o.EwsCutoffBalance = TimeSpan.FromMilliseconds(Number()); break;
                case "--max-budget-backoff-ms": o.MaxBudgetBackOff = TimeSpan.FromMilliseconds(Number()); break;
                case "--call-ms": o.CallCost = TimeSpan.FromMilliseconds(Number()); break;
                case "--item-ms": o.ItemCost = TimeSpan.FromMilliseconds(Number()); break;
                case "--kb-ms": o.KilobyteCost = TimeSpan.FromMilliseconds(Number()); break;
                case "--token-lifetime": o.TokenLifetime = TimeSpan.FromSeconds(Number()); break;
                case "--device-code-interval": o.DeviceCodeInterval = TimeSpan.FromSeconds(Number()); break;
                case "--no-basic": o.AllowBasicAuth = false; break;
                case "--graph-cloud": o.GraphCloud = Enum.TryParse<GraphCloud>(Value(), ignoreCase: true, out var cloud) ? cloud : throw new ArgumentException("--graph-cloud: Global, USGov, USGovDoD or China."); break;
                case "--graph-max-concurrency": o.GraphMaxConcurrencyPerMailbox = Int(); break;
                case "--graph-requests-per-window": o.GraphRequestsPerWindow = Int(); break;
                case "--graph-retry-after": o.GraphRetryAfter = TimeSpan.FromSeconds(Number()); break;
                case "--work-dir": o.WorkDirectory = Path.GetFullPath(Value()); break;
                case "--ews-schema": o.EwsSchemaFolder = Path.GetFullPath(Value()); break;
                case "--no-stdin-exit": watchStdin = false; break;
                case "--verbose": o.Verbose = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        o.Validate();
        return (o, watchStdin);
    }
}
