using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using InboxPS.Connections;
using InboxPS.Core;
using InboxPS.Core.Auth;
using InboxPS.Infrastructure;

namespace InboxPS.Commands;

/// <summary>
/// Signs an organization's service account (or app) in, proves over EWS that it can do the job, and keeps the
/// connection for Start-InboxSync. Parameter names follow Connect-ExchangeOnline and Connect-MgGraph.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "InboxImpersonation", DefaultParameterSetName = Interactive)]
[OutputType(typeof(ConnectionInfo))]
public sealed class ConnectInboxImpersonationCommand : AsyncInboxCmdlet
{
    private const string Interactive = "Interactive";
    private const string DeviceCodeSet = "DeviceCode";
    private const string Thumbprint = "CertificateThumbprint";
    private const string CertificateObject = "Certificate";
    private const string CertificateFile = "CertificatePath";
    private const string Secret = "ClientSecret";
    private const string Identity = "ManagedIdentity";
    private const string Token = "AccessToken";
    private const string Basic = "Credential";

    /// <summary>The organization to connect; may be left out when exactly one exists.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>The tenant: its id or a verified domain (contoso.onmicrosoft.com). Remembered for the next connection.</summary>
    [Parameter(ParameterSetName = Interactive)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = Thumbprint)]
    [Parameter(ParameterSetName = CertificateObject)]
    [Parameter(ParameterSetName = CertificateFile)]
    [Parameter(ParameterSetName = Secret)]
    [Alias("Tenant")]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>The app registration's Application (client) ID. Remembered for the next connection.</summary>
    [Parameter(ParameterSetName = Interactive)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = Thumbprint)]
    [Parameter(ParameterSetName = CertificateObject)]
    [Parameter(ParameterSetName = CertificateFile)]
    [Parameter(ParameterSetName = Secret)]
    [Alias("AppId", "ApplicationId")]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    /// <summary>Overrides the sign-in endpoint (sovereign or custom identity endpoints); a bare host gets the tenant appended.</summary>
    [Parameter(ParameterSetName = Interactive)]
    [Parameter(ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = Thumbprint)]
    [Parameter(ParameterSetName = CertificateObject)]
    [Parameter(ParameterSetName = CertificateFile)]
    [Parameter(ParameterSetName = Secret)]
    [ValidateNotNull]
    public Uri? Authority { get; set; }

    /// <summary>The service account's mailbox, or for app-only sign-ins a mailbox to test impersonation with.</summary>
    [Parameter]
    [Alias("UserPrincipalName", "TestMailbox", "Mailbox")]
    [ValidateNotNullOrEmpty]
    public string? ServiceAccount { get; set; }

    /// <summary>Sign in on another device with a code: for consoles without a browser.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
    [Alias("UseDeviceCode", "UseDeviceAuthentication", "Device", "DeviceAuth")]
    public SwitchParameter DeviceCode { get; set; }

    /// <summary>App-only: the thumbprint of the app's certificate in the Windows certificate store.</summary>
    [Parameter(Mandatory = true, ParameterSetName = Thumbprint)]
    [Alias("Thumbprint")]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    /// <summary>App-only: the app's certificate, with its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateObject)]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>App-only: the app's certificate as a .pfx file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateFile)]
    [Alias("CertificateFilePath")]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    [Parameter(ParameterSetName = CertificateFile)]
    [SecureStringTransformation]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>App-only: a client secret of the app registration.</summary>
    [Parameter(Mandatory = true, ParameterSetName = Secret)]
    [SecureStringTransformation]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>App-only: sign in as the Azure managed identity of this machine, function or runbook.</summary>
    [Parameter(Mandatory = true, ParameterSetName = Identity)]
    [Alias("Identity", "MSI", "ManagedServiceIdentity")]
    public SwitchParameter ManagedIdentity { get; set; }

    /// <summary>The client id (or resource id) of a user-assigned managed identity.</summary>
    [Parameter(ParameterSetName = Identity)]
    [ValidateNotNullOrEmpty]
    public string? ManagedIdentityAccountId { get; set; }

    /// <summary>A token obtained elsewhere (SecureString or text). It cannot be refreshed: connect again when it expires.</summary>
    [Parameter(Mandatory = true, ParameterSetName = Token)]
    [SecureStringTransformation]
    [ValidateNotNull]
    public SecureString? AccessToken { get; set; }

    /// <summary>Basic authentication of the service account (Exchange Server on-premises only).</summary>
    [Parameter(Mandatory = true, ParameterSetName = Basic)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// The user name and password the proxy asks for (407). Kept in memory for this connection only, never saved; the
    /// proxy itself is set with Set-InboxAccessType -Proxy, else the system's is used.
    /// </summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? ProxyCredential { get; set; }

    protected override void EndProcessing()
    {
        InboxConnection? connection = null;
        try
        {
            var request = BuildRequest();
            var connections = Session.Connections;
            RunAsync(async cancellationToken =>
                connection = await connections.ConnectAsync(Organization, request, Sink, cancellationToken).ConfigureAwait(false));
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
        }

        WriteObject(connection!.Describe());
    }

    private SignInRequest BuildRequest()
    {
        var request = new SignInRequest(Method())
        {
            TenantId = TenantId,
            ClientId = ClientId,
            Authority = Authority,
            ServiceAccount = ServiceAccount,
            ClientSecret = ClientSecret,
            AccessToken = AccessToken,
            ManagedIdentityAccountId = ManagedIdentityAccountId,
            Credential = Credential is null ? null : new NetworkCredential(Credential.UserName, Credential.Password),
            ProxyCredential = ProxyCredential is null ? null : new NetworkCredential(ProxyCredential.UserName, ProxyCredential.Password),
            DeviceCodeMessage = (message, _) =>
            {
                // MSAL calls back on a worker thread; the message reaches the console from the pipeline thread.
                Post(() => WriteInformation(new HostInformationMessage { Message = message }, new[] { "PSHOST" }));
                return Task.CompletedTask;
            },
        };
        request.Certificate = ParameterSetName switch
        {
            Thumbprint => CertificateLoader.FromStore(CertificateThumbprint!),
            CertificateFile => CertificateLoader.FromFile(GetUnresolvedProviderPathFromPSPath(CertificatePath!), CertificatePassword),
            CertificateObject => Certificate,
            _ => null,
        };
        return request;
    }

    private SignInMethod Method() => ParameterSetName switch
    {
        DeviceCodeSet => SignInMethod.DeviceCode,
        Thumbprint or CertificateObject or CertificateFile => SignInMethod.Certificate,
        Secret => SignInMethod.ClientSecret,
        Identity => SignInMethod.ManagedIdentity,
        Token => SignInMethod.AccessToken,
        Basic => SignInMethod.Credential,
        _ => SignInMethod.Interactive,
    };
}
