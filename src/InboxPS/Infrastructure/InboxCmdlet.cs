using System;
using System.Management.Automation;
using InboxPS.Core;
using InboxPS.Core.Store;

namespace InboxPS.Infrastructure;

/// <summary>Base of every InboxPS cmdlet: opens the store on first use and reports core errors as ErrorRecords.</summary>
public abstract class InboxCmdlet : PSCmdlet, IDisposable
{
    private IInboxStore? _store;

    /// <summary>The store, opened on first use; a store that cannot be opened stops the cmdlet with a clear error.</summary>
    protected IInboxStore Store
    {
        get
        {
            if (_store is null)
            {
                try
                {
                    _store = SqliteInboxStore.Open();
                }
                catch (StoreException e)
                {
                    ThrowTerminatingError(ErrorRecords.From(e));
                }
            }

            return _store!;
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
            _store?.Dispose();
            _store = null;
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

    protected void ThrowTerminating(InboxException exception) => ThrowTerminatingError(ErrorRecords.From(exception));

    protected void WriteInboxError(InboxException exception) => WriteError(ErrorRecords.From(exception));
}
