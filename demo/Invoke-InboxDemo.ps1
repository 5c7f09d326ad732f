<#
.SYNOPSIS
    The README's main job: what an Exchange admin does with InboxPS, run against the bundled Exchange simulator.
    build.ps1 -Task Demo starts the simulator and runs this script in a fresh pwsh that trusts the simulator's CA
    (SSL_CERT_FILE), with a private store (INBOXPS_HOME).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorJson
)

$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
Import-Module (Join-Path $PSScriptRoot '../tools/InboxSimulator.psm1')
$sim = $SimulatorJson | ConvertFrom-Json

function Show {
    # Tables at a console's width even when the output is redirected (a CI log, a file).
    $input | Format-Table | Out-String -Width 160 | Write-Host
}

function Write-Step([string] $Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

Write-Step '1. Choose how the organization reaches its mailboxes (Set-InboxAccessType)'
Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue | Show

Write-Step '2. Sign the service account in: app-only OAuth with a client secret, checked against a real mailbox (Connect-InboxImpersonation)'
# In production the secret comes from a vault or Get-Credential; the simulator hands out its test secret.
$secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force
$mailboxes = @(Invoke-SimulatorControl -Simulator $sim -Path 'users')
$testMailbox = ($mailboxes | Where-Object { -not $_.broken -and $_.hasMailbox } | Select-Object -First 1).primarySmtpAddress
Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
    -ClientSecret $secret -ServiceAccount $testMailbox | Show

Write-Step "3. Get-Mailbox | Start-InboxSync: $($mailboxes.Count) users, a few deliberately broken"
# Objects shaped like Get-EXOMailbox output, as the admin's pipeline would produce them.
$getMailbox = $mailboxes | ForEach-Object {
    [pscustomobject]@{
        Identity           = $_.displayName
        Alias              = ($_.primarySmtpAddress -split '@')[0]
        DisplayName        = $_.displayName
        PrimarySmtpAddress = $_.primarySmtpAddress
        UserPrincipalName  = $_.userPrincipalName
    }
}
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$results = $getMailbox | Start-InboxSync -Organization contoso -ThrottleLimit 16 -ErrorAction SilentlyContinue
$clock.Stop()
$results | Where-Object Status -ne 'Synced' | Show
# The throttled user waited exactly as long as the server asked, and still synced.
$results | Where-Object { $_.Status -eq 'Synced' -and $_.ThrottledFor -gt [TimeSpan]::Zero } | Show
$results | Where-Object Status -eq 'Synced' | Select-Object -First 3 | Show
$synced = @($results | Where-Object Status -eq 'Synced')
Write-Host ("{0} of {1} users synced in {2:0.0} s, {3} items stored, {4} failed (each with its reason above)." -f `
        $synced.Count, @($results).Count, $clock.Elapsed.TotalSeconds, ($synced | Measure-Object ItemsAdded -Sum).Sum,
        @($results | Where-Object Status -eq 'Failed').Count)

Write-Step '4. Monitoring: who is not syncing, and why (Get-InboxSyncStatus)'
Get-InboxSyncStatus -Organization contoso -IncludeInactive | Group-Object Status | Select-Object Name, Count | Show
Get-InboxSyncStatus -Organization contoso -Status Failed | Format-List Mailbox, LastErrorId, LastError, RecommendedAction |
    Out-String -Width 160 | Write-Host

Write-Step '5. New mail arrives; the scheduled runbook form (no input) syncs every activated user incrementally'
foreach ($user in $synced | Select-Object -First 3) {
    $null = Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$($user.Mailbox)/changes" -Method Post -Body @{ folder = 'inbox'; creates = 2; readFlagChanges = 1 }
}
$rerun = Start-InboxSync -Organization contoso -ThrottleLimit 16
$rerun | Where-Object { $_.ItemsAdded -or $_.ItemsUpdated } | Show
Write-Host ("Rerun: {0} users checked, {1} new items, {2} updated." -f @($rerun).Count, ($rerun | Measure-Object ItemsAdded -Sum).Sum,
    ($rerun | Measure-Object ItemsUpdated -Sum).Sum)
