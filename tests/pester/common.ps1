# Dot-sourced by every *.Tests.ps1 in BeforeAll: imports the built module into the suite's process once, and holds the
# helpers the suites share. tools/Invoke-PesterSuite.ps1 runs each suite in a fresh pwsh of its own and says, through
# the environment, where the module, the repository and the simulator are.

$script:ModuleManifest = $env:INBOXPS_TEST_MANIFEST
if (-not $script:ModuleManifest) {
    throw 'Run the Pester suites through ./build.ps1 -Task Test, or one suite with tools/Invoke-PesterSuite.ps1: they tell the tests where the built module is.'
}
$script:RepoRoot = $env:INBOXPS_TEST_REPO

# Fresh pwsh processes (Start-PwshProcess), private stores (New-RunHome) and the simulator's process helpers, shared with
# the soak and benchmark scripts; the platform list the build ships.
Import-Module (Join-Path $script:RepoRoot 'tools/InboxRun.psm1')
Import-Module (Join-Path $script:RepoRoot 'tools/InboxSimulator.psm1')
Import-Module (Join-Path $script:RepoRoot 'tools/InboxBuild.psm1')

# Never the user's real store: until a test picks its own, the suite has a private one.
$env:INBOXPS_HOME = New-RunHome
Import-Module $script:ModuleManifest

function New-TestStoreHome {
    # A private INBOXPS_HOME (store and token caches) for one test.
    New-RunHome
}

function Enter-TestStore {
    # Points the module at a new private store for one test (BeforeEach) and returns its folder.
    $env:INBOXPS_HOME = New-TestStoreHome
    return $env:INBOXPS_HOME
}

function Exit-TestStore {
    # Ends one test's store (AfterEach). Connections live per process, by organization name, so the next test's
    # 'contoso' must not find this test's sign-in: disconnect every organization the store knows.
    # A store a test damaged on purpose has nothing to disconnect.
    $organizations = try { @(Get-InboxOrganization -ErrorAction SilentlyContinue) } catch { @() }
    foreach ($organization in $organizations) {
        Disconnect-InboxImpersonation -Organization $organization.Name -Confirm:$false -ErrorAction SilentlyContinue
    }
}

function Invoke-FreshPwsh {
    # For what needs a process of its own (a later session, a package, a hard kill): runs a script's text in a new pwsh
    # with the built module imported; returns its exit code and output lines (standard error merged in).
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{}, [string] $ModuleManifest = $script:ModuleManifest)
    $process = Start-PwshProcess -Script "`$ErrorActionPreference = 'Stop'; Import-Module '$ModuleManifest';`n$Script" -Environment $Environment
    $output = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $lines = @(($output + $process.StandardErrorText.GetAwaiter().GetResult()) -split "`r?`n" | Where-Object { $_ })
    $run = [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $lines }
    $process.Dispose()
    return $run
}

function Start-FreshPwsh {
    # Like Invoke-FreshPwsh, but returns at once with the running process (standard output redirected), for scripts a
    # test must interact with while they run (a device-code prompt, a hard kill).
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    Start-PwshProcess -Script "`$ErrorActionPreference = 'Stop'; Import-Module '$script:ModuleManifest';`n$Script" -Environment $Environment
}

function Get-TestSimulatorPath {
    # The simulator build.ps1 built; built into a private temporary folder when the suite runs without one.
    if ($env:INBOXPS_TEST_SIMULATOR) { return $env:INBOXPS_TEST_SIMULATOR }
    return Build-InboxSimulator -ArtifactsPath (Join-Path ([System.IO.Path]::GetTempPath()) 'inboxps-pester-simulator')
}

function Start-TestSimulator {
    <#
    .SYNOPSIS
        Starts the Exchange simulator as its own process, writing its files (its CA first) into the folder this suite's
        process already trusts; returns its JSON line as an object (ewsUrl, authority, tenantId, clientId, clientSecret,
        caCertificatePath, controlUrl, ...). Stop it with Stop-TestSimulator.
    .DESCRIPTION
        .NET on Linux reads SSL_CERT_FILE once, natively, at the first certificate check; a value set in the running
        process is never seen. So tools/InboxTest.psm1 starts the suite's pwsh with SSL_CERT_FILE naming
        $env:INBOXPS_TEST_SIMULATOR_HOME/ca.pem, and the simulator writes that file here before any TLS connection.
    #>
    param([string[]] $ArgumentList = @())
    $workDirectory = $env:INBOXPS_TEST_SIMULATOR_HOME
    if (-not $workDirectory -or $env:SSL_CERT_FILE -ne (Join-Path $workDirectory 'ca.pem')) {
        throw 'This suite talks to the simulator over HTTPS from its own process: run it through ./build.ps1 -Task Test or Invoke-InboxPester (tools/InboxTest.psm1), which start it trusting the simulator''s CA.'
    }
    if (Test-Path (Join-Path $workDirectory 'ca.pem')) {
        throw "One simulator per suite process: $workDirectory already holds a CA, and this process trusts only the first."
    }
    # Issue 17: every EWS request is checked against Microsoft's schema when ../shared/ews-schema is beside the repository.
    $schema = Join-Path (Split-Path $script:RepoRoot) 'shared/ews-schema'
    if (Test-Path (Join-Path $schema 'messages.xsd')) { $ArgumentList += @('--ews-schema', $schema) }
    else { Write-Host "EWS schema check off: $schema is absent, so requests are not checked against Microsoft's schema." -ForegroundColor Yellow }
    return Start-InboxSimulator -SimulatorPath (Get-TestSimulatorPath) -ArgumentList ($ArgumentList + @('--work-dir', $workDirectory))
}

function Stop-TestSimulator {
    <#
    .SYNOPSIS
        Stops the suite's simulator, failing the suite's AfterAll (so the suite) when InboxPS sent a schema-invalid EWS
        request or an impersonated request without the matching X-AnchorMailbox during the suite.
    #>
    param($Simulator)
    if (-not $Simulator) { return }
    try { Assert-TestWireClean $Simulator }
    finally { $Simulator | Stop-InboxSimulator }
}

function Assert-TestWireClean {
    param([Parameter(Mandatory)] $Simulator)
    $metrics = Invoke-SimulatorControl -Simulator $Simulator -Path 'metrics'
    $problems = @(
        if ($metrics.schemaInvalidRequests -gt 0) { "$($metrics.schemaInvalidRequests) EWS request(s) failed the schema: $($metrics.schemaErrors -join '; ')" }
        if ($metrics.missingAnchorMailbox -gt 0) { "$($metrics.missingAnchorMailbox) impersonated request(s) had no X-AnchorMailbox" }
        if ($metrics.mismatchedAnchorMailbox -gt 0) { "$($metrics.mismatchedAnchorMailbox) impersonated request(s) had an X-AnchorMailbox naming another mailbox" })
    if ($problems) { throw ($problems -join "`n") }
}

function Get-TestTruthCount {
    # Items the simulator holds in the folders Start-InboxSync syncs by default.
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Mailbox)
    @('inbox', 'sentitems') | ForEach-Object {
        @(Invoke-SimulatorControl -Simulator $Simulator -Path "mailboxes/$Mailbox/items?folder=$_").Count
    } | Measure-Object -Sum | Select-Object -ExpandProperty Sum
}

function Assert-SyncConvergesAfterKill {
    # A Start-InboxSync in a process of its own, slowed by the simulator's latency and killed hard (no cleanup, like a
    # runbook worker dying) after its first result; then the rerun in this session must hold every item once. Slow
    # enough, one user at a time, that most users are still to do when a loaded machine gets round to the kill.
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $StoreHome, [Parameter(Mandatory)] [string[]] $Targets,
        [string] $LatencyPath = 'faults', [int] $LatencyMs = 200, [int] $ThrottleLimit = 1)
    $null = Invoke-SimulatorControl -Simulator $Simulator -Path $LatencyPath -Method Post -Body @{ latencyMs = $LatencyMs }
    try {
        $process = Start-FreshPwsh -Environment @{ INBOXPS_HOME = $StoreHome; INBOXPS_TEST_SIM = ($Simulator | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress); INBOXPS_TEST_TARGETS = ($Targets -join ','); INBOXPS_TEST_LIMIT = "$ThrottleLimit" } -Script @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount ($env:INBOXPS_TEST_TARGETS -split ',')[0]
$env:INBOXPS_TEST_TARGETS -split ',' | Start-InboxSync -ThrottleLimit $env:INBOXPS_TEST_LIMIT | ForEach-Object { "done=$($_.Mailbox) $($_.Status) $($_.ErrorId)"; [Console]::Out.Flush() }
'@
        $first = $null
        while (-not $process.HasExited) {
            $line = $process.StandardOutput.ReadLine()
            if ($null -eq $line -or $line -like 'done=*') { $first = $line; break }
        }
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.WaitForExit()
        $process.Dispose()
    }
    finally {
        $null = Invoke-SimulatorControl -Simulator $Simulator -Path $LatencyPath -Method Post -Body @{ latencyMs = 0 }
    }
    $first | Should -BeLike 'done=* Synced *' -Because 'the killed run synced until the kill'

    $rerun = @($Targets | Start-InboxSync)
    # The kill really cut the run short: the rerun still had items to add.
    ($rerun | Measure-Object ItemsAdded -Sum).Sum | Should -BeGreaterThan 0
    $status = @(Get-InboxSyncStatus)
    foreach ($target in $Targets) {
        $user = $status | Where-Object Mailbox -eq $target
        "$($user.Status) $($user.Items)" | Should -BeExactly "Synced $(Get-TestTruthCount $Simulator $target)" -Because "$target must hold every item once"
    }
}

function Connect-TestOrganization {
    # The organization most tests start from: 'contoso', app-only OAuth against the simulator, signed in with its client
    # secret, the test mailbox being -ServiceAccount (the simulator's first mailbox unless given).
    param([Parameter(Mandatory)] $Simulator, [string] $ServiceAccount = $Simulator.firstMailbox, [string] $Organization = 'contoso')
    $null = Set-InboxAccessType -Organization $Organization -AccessType OAuthAppOnly -EwsUrl $Simulator.ewsUrl -WarningAction SilentlyContinue
    $null = Connect-InboxImpersonation -Organization $Organization -Authority $Simulator.authority -TenantId $Simulator.tenantId -ClientId $Simulator.clientId `
        -ClientSecret (ConvertTo-SecureString $Simulator.clientSecret -AsPlainText -Force) -ServiceAccount $ServiceAccount
}
