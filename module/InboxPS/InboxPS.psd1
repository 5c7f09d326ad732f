@{
    RootModule           = 'InboxPS.dll'
    # Imported before InboxPS.dll: makes InboxPS.Core and its dependencies load from dependencies/ (README "Isolation").
    NestedModules        = @('InboxPS.Loader.dll')
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5b0f7a52-7c0e-4d0b-9a51-2f1d7e3c9a61'
    Author               = 'InboxPS contributors'
    CompanyName          = 'InboxPS contributors'
    Copyright            = '(c) InboxPS contributors. MIT License.'
    Description          = 'Bulk mailbox synchronization for Exchange Server and Exchange Online through one impersonating service account: choose the mailbox access type, sign the service account in with OAuth 2.0 (MSAL) or a credential, and activate and run incremental EWS sync for many users from the pipeline (Get-Mailbox | Start-InboxSync).'
    PowerShellVersion    = '5.1'
    # netstandard2.0 on Windows PowerShell needs .NET Framework 4.7.2 or later.
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('InboxPS.format.ps1xml')
    CmdletsToExport      = @(
        'Get-InboxOrganization'
        'Set-InboxAccessType'
        'Remove-InboxOrganization'
        'Connect-InboxImpersonation'
        'Disconnect-InboxImpersonation'
        'Get-InboxConnection'
        'Get-InboxSyncStatus'
        'Start-InboxSync'
        'Test-InboxImpersonation'
        'Disable-InboxSync'
        'Set-InboxStore'
        'Get-InboxStore'
        'Get-InboxSyncRun'
        'Test-InboxStore'
        'Backup-InboxStore'
        'Get-InboxSyncStatistics'
        'Get-InboxItem'
        'Export-InboxItem'
        'Export-InboxSyncReport'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @('Stop-InboxSync')   # Disable-InboxSync's former name, for one release
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'EWS', 'Impersonation', 'Mailbox', 'Sync', 'OAuth', 'MSAL', 'Office365', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/inboxps/InboxPS'
            LicenseUri   = 'https://github.com/inboxps/InboxPS/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: Set-InboxAccessType, Connect-/Disconnect-InboxImpersonation (every MSAL sign-in mode, basic auth on-premises), Start-InboxSync (streaming, parallel, resumable EWS sync with one result per user), Test-InboxImpersonation, Get-InboxSyncStatus, Disable-InboxSync (formerly Stop-InboxSync, kept as an alias for one release), Set-/Get-InboxStore (a shared PostgreSQL store), Get-InboxSyncRun; dependencies isolated from other modules on PowerShell 7.'
        }
    }
}
