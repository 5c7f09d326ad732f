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

Write-Step '1. Choose how each organization reaches its mailboxes (Set-InboxAccessType)'
# contoso is in Exchange Online: Microsoft Graph, the default path now that Exchange Online retires EWS.
# -GraphUrl points at the simulator; a real tenant leaves it out (https://graph.microsoft.com).
Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly -GraphUrl $sim.graphUrl | Show
# fabrikam runs Exchange Server on-premises (hybrid modern authentication): EWS stays the way in there.
Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue | Show

Write-Step '2. Sign each organization in: app-only OAuth with a client secret, checked against a real mailbox (Connect-InboxImpersonation)'
# In production the secret comes from a vault or Get-Credential; the simulator hands out its test secret.
$secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force
$mailboxes = @(Invoke-SimulatorControl -Simulator $sim -Path 'users')
$testMailbox = ($mailboxes | Where-Object { -not $_.broken -and $_.hasMailbox } | Select-Object -First 1).primarySmtpAddress
foreach ($organization in 'contoso', 'fabrikam') {
    Connect-InboxImpersonation -Organization $organization -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
        -ClientSecret $secret -ServiceAccount $testMailbox | Show
}

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
# The last 20 working mailboxes live on-premises; the rest, with the deliberately broken ones, in Exchange Online.
$onPremisesAddresses = @($mailboxes | Where-Object { -not $_.broken -and $_.hasMailbox } | Select-Object -Last 20).primarySmtpAddress
$onPremises = @($getMailbox | Where-Object PrimarySmtpAddress -in $onPremisesAddresses)
$online = @($getMailbox | Where-Object PrimarySmtpAddress -notin $onPremisesAddresses)

function Invoke-Activation([string] $Organization, [object[]] $Users, [string] $Protocol) {
    Write-Step "3. $Organization ($Protocol): Get-Mailbox | Start-InboxSync, $($Users.Count) users, a few deliberately broken"
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $results = $Users | Start-InboxSync -Organization $Organization -ThrottleLimit 16 -ErrorAction SilentlyContinue
    $clock.Stop()
    $results | Where-Object Status -ne 'Synced' | Show
    # A throttled user waited exactly as long as the server asked, and still synced.
    $results | Where-Object { $_.Status -eq 'Synced' -and $_.ThrottledFor -gt [TimeSpan]::Zero } | Show
    $results | Where-Object Status -eq 'Synced' | Select-Object -First 3 | Show
    $synced = @($results | Where-Object Status -eq 'Synced')
    Write-Host ("{0}: {1} of {2} users synced over {3} in {4:0.0} s, {5} items stored, {6} failed (each with its reason above)." -f `
            $Organization, $synced.Count, @($results).Count, $Protocol, $clock.Elapsed.TotalSeconds, ($synced | Measure-Object ItemsAdded -Sum).Sum,
            @($results | Where-Object Status -eq 'Failed').Count)
    return $synced
}
$synced = Invoke-Activation -Organization contoso -Users $online -Protocol 'Microsoft Graph'
$null = Invoke-Activation -Organization fabrikam -Users $onPremises -Protocol 'EWS'

Write-Step '4. Monitoring: who is not syncing, and why (Get-InboxSyncStatus), per organization'
foreach ($organization in 'contoso', 'fabrikam') {
    Get-InboxSyncStatus -Organization $organization -IncludeInactive | Group-Object Organization, Status | Select-Object Name, Count | Show
}
Get-InboxSyncStatus -Organization contoso -Status Failed | Format-List Mailbox, LastErrorId, LastError, RecommendedAction |
    Out-String -Width 160 | Write-Host

Write-Step '5. New mail arrives; the scheduled runbook form (no input) syncs every activated user incrementally'
foreach ($user in $synced | Select-Object -First 3) {
    $null = Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$($user.Mailbox)/changes" -Method Post -Body @{ folder = 'inbox'; creates = 2; readFlagChanges = 1 }
}
foreach ($organization in 'contoso', 'fabrikam') {
    $rerun = Start-InboxSync -Organization $organization -ThrottleLimit 16
    $rerun | Where-Object { $_.ItemsAdded -or $_.ItemsUpdated } | Show
    Write-Host ("{0} rerun: {1} users checked, {2} new items, {3} updated." -f $organization, @($rerun).Count,
        ($rerun | Measure-Object ItemsAdded -Sum).Sum, ($rerun | Measure-Object ItemsUpdated -Sum).Sum)
}
