# Dot-sourced by every *.Tests.ps1 in BeforeAll: where the built module is, and helpers shared by the suites.

$script:ModuleManifest = $env:INBOXPS_TEST_MANIFEST
if (-not $script:ModuleManifest) {
    throw 'Run the Pester suites through ./build.ps1 -Task Test: it builds the module and tells the tests where it is.'
}
$script:RepoRoot = $env:INBOXPS_TEST_REPO

# Fresh pwsh processes and private stores, shared with the soak and benchmark scripts.
Import-Module (Join-Path $script:RepoRoot 'tests/tools/InboxRun.psm1') -Force

function New-TestStoreHome {
    # A private INBOXPS_HOME, so a suite never touches the user's real store.
    New-RunHome
}

function Invoke-FreshPwsh {
    # Runs a script's text in a new pwsh process with the built module imported; returns its exit code and output lines
    # (standard error merged in).
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $prelude = "`$ErrorActionPreference = 'Stop'; Import-Module '$script:ModuleManifest';"
    $saved = @{}
    foreach ($key in $Environment.Keys) {
        $saved[$key] = [Environment]::GetEnvironmentVariable($key)
        [Environment]::SetEnvironmentVariable($key, $Environment[$key])
    }
    Push-Location $script:RepoRoot
    try {
        $pwsh = @(Get-PwshCommand)
        $arguments = @($pwsh | Select-Object -Skip 1)
        $output = & $pwsh[0] @arguments -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1
        return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }
    finally {
        Pop-Location
        foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
    }
}

function Get-TestSimulatorPath {
    # The simulator the xunit step of build.ps1 already built: beside the module's artifacts folder, or in the repository's
    # own bin folder. Built into a private temporary folder when neither exists (running a suite on its own).
    $outRoot = Split-Path (Split-Path (Split-Path $script:ModuleManifest))
    $candidates = @(
        (Join-Path (Split-Path $outRoot) 'bin/InboxPS.Simulator/release/InboxPS.Simulator.dll')
        (Join-Path $script:RepoRoot 'tests/InboxPS.Simulator/bin/Release/net10.0/InboxPS.Simulator.dll')
    )
    $found = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
    if ($found) { return $found }
    $artifacts = Join-Path ([System.IO.Path]::GetTempPath()) 'inboxps-pester-simulator'
    & dotnet build (Join-Path $script:RepoRoot 'tests/InboxPS.Simulator/InboxPS.Simulator.csproj') -c Release --nologo -v quiet --artifacts-path $artifacts | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'Building tests/InboxPS.Simulator failed.' }
    return Join-Path $artifacts 'bin/InboxPS.Simulator/release/InboxPS.Simulator.dll'
}

function Start-TestSimulator {
    # Starts the Exchange simulator as its own process; returns its JSON line as an object (ewsUrl, authority, tenantId,
    # clientId, clientSecret, caCertificatePath, controlUrl, ...). Stop it with Stop-TestSimulator.
    param([string[]] $ArgumentList = @())
    Import-Module (Join-Path $script:RepoRoot 'tests/tools/InboxSimulator.psm1') -Force
    return Start-InboxSimulator -SimulatorPath (Get-TestSimulatorPath) -ArgumentList $ArgumentList
}

function Stop-TestSimulator {
    param($Simulator)
    if ($Simulator) { $Simulator | Stop-InboxSimulator }
}

function Start-FreshPwsh {
    # Like Invoke-FreshPwsh, but returns at once with the running process (standard output redirected), for scripts a
    # test must interact with while they run (a device-code sign-in waiting for approval).
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    Push-Location $script:RepoRoot
    try { Start-PwshProcess -Script "`$ErrorActionPreference = 'Stop'; Import-Module '$script:ModuleManifest'; $Script" -Environment $Environment }
    finally { Pop-Location }
}
