<#
.SYNOPSIS
    Runs ONE Pester suite file (tests/pester/*.Tests.ps1) in this process against the built module and writes its
    counts as JSON. Invoke-InboxPester (tools/InboxTest.psm1) starts it in a fresh pwsh per suite, with the
    environment that suite's simulator needs (INBOXPS_TEST_SIMULATOR_HOME, and SSL_CERT_FILE naming the CA its
    simulator will write there); use that to try a single suite.

.EXAMPLE
    Import-Module ./tools/InboxTest.psm1; Invoke-InboxPester -Filter Sync.Tests.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # Where to write { Passed, Failed, Skipped }; nothing is written when Pester did not finish.
    [string] $SummaryPath,
    # The simulator's dll; the suites build one into a temporary folder when it is not given.
    [string] $SimulatorPath,
    # Detailed lists every test with its time.
    [ValidateSet('Normal', 'Detailed')] [string] $Verbosity = 'Normal'
)

$ErrorActionPreference = 'Stop'
$repoRoot = Split-Path $PSScriptRoot

# Pester comes from NuGet (tests/tools/TestTools.csproj restores it); never from the PowerShell Gallery.
$nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pester = Join-Path $nugetRoot 'pester/5.7.1/tools/Pester.psd1'
if (-not (Test-Path $pester)) {
    throw "Pester 5.7.1 is not in $nugetRoot. Run: dotnet restore tests/tools/TestTools.csproj"
}
Import-Module $pester -Force

# What tests/pester/common.ps1 reads: the module under test, the repository, the simulator.
$env:INBOXPS_TEST_MANIFEST = (Resolve-Path $ModuleManifest).Path
$env:INBOXPS_TEST_REPO = $repoRoot
if ($SimulatorPath) { $env:INBOXPS_TEST_SIMULATOR = (Resolve-Path $SimulatorPath).Path }

$config = New-PesterConfiguration
$config.Run.Path = (Resolve-Path $Path).Path
$config.Run.PassThru = $true
$config.Output.Verbosity = $Verbosity
# No NUnit XML: its export fails on control characters in a failure message, and the counts below are what matters.
$config.TestResult.Enabled = $false
$result = Invoke-Pester -Configuration $config
if ($null -eq $result -or $null -eq $result.PassedCount) {
    # Never write a summary that could read as "nothing failed" when Pester itself did not finish.
    Write-Error 'Pester returned no result; the suite is counted as failed.'
    exit 1
}

# A container that failed to load (syntax error, failed BeforeAll) has no failed test; count it as a failure.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($SummaryPath) {
    [ordered]@{
        Passed  = $result.PassedCount
        Failed  = $failed
        Skipped = $result.SkippedCount + $result.NotRunCount
    } | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8
}
exit ([int]($failed -gt 0))
