using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Hosting;
using InboxPS.Core.Organizations;
using InboxPS.Core.Store;

namespace InboxPS.Infrastructure;

/// <summary>
/// Base of every InboxPS cmdlet: opens a session (the store and this runspace's connections) on first use, resolves
/// -Organization the one way every cmdlet shares, and reports core errors as ErrorRecords.
/// </summary>
public abstract class InboxCmdlet : PSCmdlet, IDisposable
{
    private InboxSession? _session;

    /// <summary>
    /// The session, opened on first use (on the pipeline thread: it belongs to this runspace); a store that cannot be
    /// opened stops the cmdlet with a clear error.
    /// </summary>
    protected InboxSession Session
    {
        get
        {
            if (_session is null)
            {
                try
                {
                    _session = RunspaceHosts.Current.OpenSession();
                }
                catch (StoreException e)
                {
                    ThrowTerminatingError(ErrorRecords.From(e));
                }
            }

            return _session!;
        }
    }

    protected IInboxStore Store => Session.Store;

    /// <summary>
    /// The organization <paramref name="name"/> means (optional when exactly one exists); an unknown or ambiguous name
    /// stops the cmdlet with a clear error.
    /// </summary>
    protected OrganizationProfile ResolveOrganization(string? name)
    {
        try
        {
            return Session.ResolveOrganization(name);
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            throw; // not reached: ThrowTerminating always throws
        }
    }

    /// <summary>
    /// Like <see cref="ResolveOrganization(string?)"/>, for Get- and Remove- cmdlets: an organization that does not exist
    /// is a non-terminating error of this record (so -ErrorAction decides) and null is returned; a missing -Organization
    /// among several still stops the cmdlet.
    /// </summary>
    protected OrganizationProfile? FindOrganization(string? name)
    {
        try
        {
            return Session.ResolveOrganization(name);
        }
        catch (InboxException e) when (e.ErrorId == OrganizationErrors.NotFoundId)
        {
            WriteInboxError(e);
            return null;
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            throw; // not reached: ThrowTerminating always throws
        }
    }

    /// <summary>
    /// The organizations <paramref name="names"/> select (wildcards allowed), name by name, each with whether it was
    /// named without wildcards; a plain name that matches none is written as an OrganizationNotFound error.
    /// </summary>
    protected IEnumerable<(OrganizationProfile Organization, bool Named)> SelectOrganizations(IEnumerable<string> names)
    {
        var organizations = Terminating(() => Store.GetOrganizations());
        foreach (var name in names)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var named = !WildcardPattern.ContainsWildcardCharacters(name);
            var matches = organizations.Where(o => pattern.IsMatch(o.Name)).ToList();
            if (matches.Count == 0 && named)
            {
                WriteInboxError(OrganizationErrors.NotFound(name));
            }

            foreach (var organization in matches)
            {
                yield return (organization, named);
            }
        }
    }

    // PowerShell disposes cmdlets when the pipeline ends, also after Ctrl+C, when EndProcessing never runs.
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session?.Dispose();
            _session = null;
        }
    }

    /// <summary>-WhatIf given, or $WhatIfPreference on.</summary>
    protected bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
            ? ((SwitchParameter)value).IsPresent
            : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    /// <summary>Whether ShouldProcess would prompt for an action of <paramref name="impact"/>: -Confirm, or $ConfirmPreference.</summary>
    protected bool WillConfirm(ConfirmImpact impact)
    {
        if (MyInvocation.BoundParameters.TryGetValue("Confirm", out var value))
        {
            return ((SwitchParameter)value).IsPresent;
        }

        var preference = SessionState.PSVariable.GetValue("ConfirmPreference");
        return preference is ConfirmImpact threshold && threshold != ConfirmImpact.None && impact >= threshold;
    }

    /// <summary>
    /// Runs one step against the store or the connections; its failure (a damaged or locked store, a lost sign-in) ends
    /// the cmdlet with the core's stable id and recommended action, never the exception's type name as the id.
    /// </summary>
    protected T Terminating<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (InboxException e)
        {
            ThrowTerminating(e);
            throw; // not reached: ThrowTerminating always throws
        }
    }

    /// <inheritdoc cref="Terminating{T}(Func{T})"/>
    protected void Terminating(Action step) => Terminating(() =>
    {
        step();
        return true;
    });

    protected void ThrowTerminating(InboxException exception) => ThrowTerminatingError(ErrorRecords.From(exception));

    protected void WriteInboxError(InboxException exception) => WriteError(ErrorRecords.From(exception));
}
