using System;
using System.Collections.Generic;
using InboxPS.Core.Auth;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Hosting;

/// <summary>
/// What one command works with: a store and the user's connections seen through it, plus the operations that span
/// both (a new access type signs the organization out; removing an organization ends its sign-in). Cmdlets call these
/// instead of wiring the parts themselves.
/// </summary>
public sealed class InboxSession : IDisposable
{
    private readonly bool _ownsStore;

    /// <param name="ownsStore">True when disposing the session closes the store.</param>
    public InboxSession(IInboxStore store, ConnectionRegistry registry, bool ownsStore = false)
    {
        Store = store;
        Connections = new OrganizationConnections(registry, store);
        _ownsStore = ownsStore;
    }

    public IInboxStore Store { get; }

    public OrganizationConnections Connections { get; }

    /// <summary>The organization a command means: the one named, or the only one there is.</summary>
    /// <exception cref="InboxException">OrganizationNotFound, NoOrganization or OrganizationRequired.</exception>
    public OrganizationProfile ResolveOrganization(string? name) => OrganizationResolver.Resolve(Store, name);

    /// <summary>
    /// What Set-InboxAccessType would save: for the organization named (new or existing), or the only one there is.
    /// </summary>
    /// <exception cref="InboxException">The organization is ambiguous, or the combination cannot work.</exception>
    public AccessTypePlan PlanAccessType(string? organization, AccessType accessType, Uri? ewsUrl, ExchangeEnvironment? environment,
        DateTimeOffset now, Uri? graphUrl = null, Action<AccessTypeRequest>? configure = null)
    {
        var existing = organization is null ? ResolveOrganization(null) : Store.GetOrganization(organization.Trim());
        var request = new AccessTypeRequest(existing?.Name ?? organization!.Trim(), accessType)
        {
            EwsUrl = ewsUrl,
            Environment = environment,
            GraphUrl = graphUrl,
        };
        configure?.Invoke(request);
        return AccessTypePlanner.Plan(existing, request, now);
    }

    /// <summary>
    /// Saves the plan's profile; first ends the organization's sign-in (live and saved) when the plan invalidates it, or
    /// the live connection when the proxy changed. True when a sign-in was ended, so the admin can be told to connect again.
    /// </summary>
    public bool ApplyAccessType(AccessTypePlan plan)
    {
        var disconnected = plan.InvalidatesSignIn ? Connections.Disconnect(plan.Profile.Name)
            : plan.ChangesProxy && Connections.Registry.Remove(plan.Profile.Name);
        Store.SaveOrganization(plan.Profile);
        if (plan.SwitchesProtocol)
        {
            Store.ForgetProtocolState(plan.Profile.Name);
        }

        return disconnected;
    }

    /// <summary>Deletes the organization with its sign-in (live and saved), roster, sync states and items.</summary>
    public void RemoveOrganization(OrganizationProfile organization)
    {
        Connections.Disconnect(organization.Name);
        Store.RemoveOrganization(organization.Name);
    }

    /// <summary>The roster rows <paramref name="query"/> selects (Get-InboxSyncStatus).</summary>
    /// <exception cref="InboxException">OrganizationNotFound.</exception>
    public IEnumerable<RosterEntry> QueryRoster(RosterQuery query) => query.Run(Store);

    public void Dispose()
    {
        if (_ownsStore)
        {
            Store.Dispose();
        }
    }
}
