using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using InboxPS.Simulator.Control;
using InboxPS.Simulator.Ews;
using InboxPS.Simulator.Ews.Operations;
using InboxPS.Simulator.Graph;
using InboxPS.Simulator.Identity;
using InboxPS.Simulator.Security;
using InboxPS.Simulator.Tenant;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InboxPS.Simulator;

/// <summary>
/// A running Exchange + Entra ID stand-in on https://127.0.0.1:PORT: EWS at /EWS/Exchange.asmx, the identity endpoint
/// at /{tenantId}/..., managed identity at /msi/token, the control API at /control/. Start one per test (or share one
/// through a fixture); dispose it to stop the server and delete its certificate files.
/// </summary>
public sealed class ExchangeSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _workDirectory;
    private readonly bool _ownsWorkDirectory;

    private ExchangeSimulator(WebApplication app, Uri baseUri, IdentityState identity, KeyMaterial keys, TenantDirectory directory,
        SimulatorControl control, string workDirectory, bool ownsWorkDirectory)
    {
        _app = app;
        _workDirectory = workDirectory;
        _ownsWorkDirectory = ownsWorkDirectory;
        BaseUri = baseUri;
        TenantId = identity.TenantId;
        ClientId = identity.ClientId;
        ClientSecret = identity.ClientSecret;
        DelegatedClientId = identity.DelegatedClientId;
        ManagedIdentityClientId = identity.ManagedIdentityClientId;
        ManagedIdentityHeader = identity.ManagedIdentityHeader;
        CertificatePassword = identity.CertificatePassword;
        // A copy per simulator: the shared key material must survive a caller disposing what it was handed.
        CaCertificate = X509CertificateLoader.LoadCertificate(keys.CaCertificate.RawData);
        AppCertificateThumbprint = keys.AppCertificate.Thumbprint;
        Control = control;
        Directory = directory;
        Identity = identity;
        CertificatePath = Path.Combine(workDirectory, "app.pfx");
        CaCertificatePath = Path.Combine(workDirectory, "ca.pem");
    }

    /// <summary>https://127.0.0.1:PORT/</summary>
    public Uri BaseUri { get; }

    public Uri EwsUrl => new(BaseUri, "EWS/Exchange.asmx");

    /// <summary>https://127.0.0.1:PORT/v1.0/: Microsoft Graph over the same tenant (a Graph SDK's base URL).</summary>
    public Uri GraphUrl => new(BaseUri, "v1.0/");

    /// <summary>The scope a client-credentials request asks for to call <see cref="GraphUrl"/>: "{root}/.default" of the configured cloud.</summary>
    public string GraphScope => Graph.GraphClouds.RootOf(Control.GraphCloud) + "/.default";

    /// <summary>https://127.0.0.1:PORT/{tenantId}: use with WithAuthority(authority, validateAuthority: false).WithInstanceDiscovery(false).</summary>
    public Uri Authority => new(BaseUri, TenantId);

    /// <summary>The tenant's GUID (also accepted: contoso.test, contoso.onmicrosoft.test).</summary>
    public string TenantId { get; }

    /// <summary>The app-only (confidential) app: client secret and the certificate at <see cref="CertificatePath"/>.</summary>
    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>The public client app for delegated sign-in (device code, authorization code).</summary>
    public string DelegatedClientId { get; }

    /// <summary>PFX (with private key) of the certificate registered on <see cref="ClientId"/>.</summary>
    public string CertificatePath { get; }

    public string CertificatePassword { get; }

    /// <summary>SHA-1 thumbprint of the app certificate (for callers that look it up in a certificate store).</summary>
    public string AppCertificateThumbprint { get; }

    /// <summary>The CA that signed the server certificate, as PEM: trust it (SSL_CERT_FILE, or a custom root) to talk TLS.</summary>
    public string CaCertificatePath { get; }

    public X509Certificate2 CaCertificate { get; }

    public string ServiceAccount => TenantDirectory.ServiceAccountAddress;

    public string ServiceAccountPassword => Identity.ServiceAccountPassword;

    /// <summary>IDENTITY_ENDPOINT for managed identity (App Service / Azure Automation style).</summary>
    public Uri ManagedIdentityEndpoint => new(BaseUri, "msi/token");

    /// <summary>IDENTITY_HEADER: the secret the managed-identity endpoint requires in X-IDENTITY-HEADER.</summary>
    public string ManagedIdentityHeader { get; }

    /// <summary>The client id that managed-identity tokens carry (an app principal for impersonation rights).</summary>
    public string ManagedIdentityClientId { get; }

    public Uri ControlUrl => new(BaseUri, "control/");

    public SimulatorControl Control { get; }

    /// <summary>Shortcut for <see cref="SimulatorControl.Metrics"/>.</summary>
    public SimulatorMetrics Metrics => Control.Metrics;

    /// <summary>Primary SMTP addresses of the generated mailboxes, user0001@contoso.test.. (computed on demand, not stored).</summary>
    public IReadOnlyList<string> MailboxAddresses => new AddressList(Directory, Directory.UserCount);

    /// <summary>Every user a demo would pipe in: the generated mailboxes, then the broken users of a --broken tenant.</summary>
    public IReadOnlyList<string> UserAddresses => new AddressList(Directory, Directory.LastIndex);

    internal TenantDirectory Directory { get; }

    internal IdentityState Identity { get; }

    public static async Task<ExchangeSimulator> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var keys = KeyMaterial.Shared;
        var ownsWorkDirectory = options.WorkDirectory is null;
        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "inboxps-sim-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(workDirectory);

        Uri? baseUri = null;
        var directory = new TenantDirectory(options.Users, options.Seed, options.BrokenMailboxes);
        var ids = new EwsIds(options.Seed);
        var store = new TenantStore(directory, new ItemGenerator(directory, options.Seed), ids, options.ItemsPerFolder, options.ThrottledMailboxBusyCalls);
        var metrics = new MetricsRecorder();
        var identity = new IdentityState(options.Seed, options.TokenLifetime);
        var tokens = new TokenService(keys, identity, options.Seed, () => baseUri!);
        var rights = new ImpersonationRights();
        rights.Set(identity.ClientId, ImpersonationScope.All);
        rights.Set(identity.ManagedIdentityClientId, ImpersonationScope.All);
        rights.Set(ImpersonationRights.UserKey(0), ImpersonationScope.All);
        var throttling = new Throttling(options);
        var faults = new FaultInjector(options);
        var authenticator = new EwsAuthenticator(tokens, identity, directory) { AllowBasic = options.AllowBasicAuth };
        var syncEngine = new SyncEngine(store, new SyncStateCodec());
        var services = new EwsServices(store, syncEngine, new EwsWriters(ids), metrics);
        var serviceTime = new ServiceTimeModel(options);
        var graph = new GraphServices(options, store, syncEngine, tokens, throttling, serviceTime);
        graph.MailboxScopes.Set(identity.ClientId, ImpersonationScope.All);
        graph.MailboxScopes.Set(identity.ManagedIdentityClientId, ImpersonationScope.All);
        var control = new SimulatorControl(store, new TenantChanges(store, options.Seed), identity, rights, throttling, faults, metrics, authenticator, graph);
        var schema = options.EwsSchemaFolder is { } schemaFolder ? RequestSchemaCheck.Load(schemaFolder) : null;
        metrics.SchemaChecked = schema is not null;
        var ews = new EwsEndpoint(services, authenticator, rights, throttling, faults, serviceTime, schema);
        var identityEndpoints = new IdentityEndpoints(identity, tokens, directory, keys, metrics, () => options.DeviceCodeInterval);

        var app = BuildApp(options, keys);
        app.MapPost("/EWS/Exchange.asmx", ews.HandleAsync);
        var graphEndpoint = new GraphEndpoint(graph);
        app.Map("/v1.0/{**path}", graphEndpoint.HandleAsync);
        identityEndpoints.Map(app);
        ExchangeSimulator? simulator = null;
        new ControlEndpoints(control, () => simulator!).Map(app);

        try
        {
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            baseUri = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
            graph.BaseUrl = new Uri(baseUri, "v1.0/");
            simulator = new ExchangeSimulator(app, baseUri, identity, keys, directory, control, workDirectory, ownsWorkDirectory);
            await File.WriteAllTextAsync(simulator.CaCertificatePath, keys.CaCertificate.ExportCertificatePem() + "\n", ct);
            await File.WriteAllBytesAsync(simulator.CertificatePath, keys.AppCertificate.Export(X509ContentType.Pkcs12, identity.CertificatePassword), ct);
            return simulator;
        }
        catch
        {
            // A port in use or a cancelled start: leave nothing running and no files behind.
            await (simulator?.DisposeAsync() ?? DisposeFailedStartAsync(app, workDirectory, ownsWorkDirectory));
            throw;
        }
    }

    private static async ValueTask DisposeFailedStartAsync(WebApplication app, string workDirectory, bool ownsWorkDirectory)
    {
        await app.DisposeAsync();
        if (ownsWorkDirectory)
        {
            System.IO.Directory.Delete(workDirectory, recursive: true);
        }
    }

    /// <summary>
    /// A handler whose TLS validation trusts exactly this simulator's CA (a custom root, nothing from the system store),
    /// the way an admin's machine trusts an internal CA. For tests; product code keeps platform validation.
    /// </summary>
    public HttpMessageHandler CreateTrustingHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { CaCertificate },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>The one JSON line the standalone process prints: everything a caller needs to connect.</summary>
    public string ConnectionInfoJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["ewsUrl"] = EwsUrl.ToString(),
        ["graphUrl"] = GraphUrl.ToString(),
        ["graphScope"] = GraphScope,
        ["authority"] = Authority.ToString(),
        ["tenantId"] = TenantId,
        ["clientId"] = ClientId,
        ["clientSecret"] = ClientSecret,
        ["certificatePath"] = CertificatePath,
        ["certificatePassword"] = CertificatePassword,
        ["certificateThumbprint"] = AppCertificateThumbprint,
        ["caCertificatePath"] = CaCertificatePath,
        ["delegatedClientId"] = DelegatedClientId,
        ["serviceAccount"] = ServiceAccount,
        ["serviceAccountPassword"] = ServiceAccountPassword,
        ["managedIdentityEndpoint"] = ManagedIdentityEndpoint.ToString(),
        ["managedIdentityHeader"] = ManagedIdentityHeader,
        ["managedIdentityClientId"] = ManagedIdentityClientId,
        ["controlUrl"] = ControlUrl.ToString(),
        ["mailboxCount"] = Directory.UserCount,
        ["firstMailbox"] = Directory.PrimarySmtp(1),
        ["lastMailbox"] = Directory.PrimarySmtp(Directory.UserCount),
        ["brokenUsers"] = Enumerable.Range(Directory.UserCount + 1, Directory.LastIndex - Directory.UserCount).Select(Directory.PrimarySmtp).ToArray(),
        ["processId"] = Environment.ProcessId,
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        CaCertificate.Dispose();
        if (_ownsWorkDirectory)
        {
            try
            {
                System.IO.Directory.Delete(_workDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A caller still holds a file open; the temp folder is cleaned by the OS eventually.
            }
        }
    }

    private static WebApplication BuildApp(SimulatorOptions options, KeyMaterial keys)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ExchangeSimulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Error);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = EwsRequest.MaxBytes;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(keys.ServerCertificate));
        });
        return builder.Build();
    }

    /// <summary>A read-only list of addresses computed from the index, so 100,000 users cost no memory.</summary>
    private sealed class AddressList : IReadOnlyList<string>
    {
        private readonly TenantDirectory _directory;

        public AddressList(TenantDirectory directory, int count)
        {
            _directory = directory;
            Count = count;
        }

        public int Count { get; }

        public string this[int index] =>
            index >= 0 && index < Count ? _directory.PrimarySmtp(index + 1) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
