namespace InboxPS.Core.Auth;

/// <summary>How the service account (or the app) proves who it is.</summary>
public enum SignInMethod
{
    /// <summary>Delegated: the service account signs in in a browser.</summary>
    Interactive,

    /// <summary>Delegated: the service account signs in on another device with a code (consoles without a browser).</summary>
    DeviceCode,

    /// <summary>App-only: a client secret of the app registration.</summary>
    ClientSecret,

    /// <summary>App-only: a certificate of the app registration (object, file or Windows store).</summary>
    Certificate,

    /// <summary>App-only: the Azure managed identity of the machine or runbook.</summary>
    ManagedIdentity,

    /// <summary>An access token obtained elsewhere; it cannot be renewed.</summary>
    AccessToken,

    /// <summary>Username and password of the service account (basic authentication, Exchange Server only).</summary>
    Credential,
}
