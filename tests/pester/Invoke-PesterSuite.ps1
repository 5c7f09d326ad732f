<#
.SYNOPSIS
    Runs every tests/pester/*.Tests.ps1 against the built module and writes a JSON summary for build.ps1.
    build.ps1 starts it in a fresh pwsh, so the module under test is the only InboxPS in the session.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

# Pester comes from NuGet (tests/tools/TestTools.csproj restores it); never from the PowerShell Gallery.
$nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pester = Join-Path $nugetRoot 'pester/5.7.1/tools/Pester.psd1'
if (-not (Test-Path $pester)) {
    throw "Pester 5.7.1 is not in $nugetRoot. Run: dotnet restore tests/tools/TestTools.csproj"
}
Import-Module $pester -Force

# The tests import the module from here (see common.ps1).
$env:INBOXPS_TEST_MANIFEST = (Resolve-Path $ModuleManifest).Path
$env:INBOXPS_TEST_REPO = $repoRoot

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
# No NUnit XML: its export fails on control characters in a failure message, and the counts below are what matters.
$config.TestResult.Enabled = $false
$result = Invoke-Pester -Configuration $config
if ($null -eq $result -or $null -eq $result.PassedCount) {
    # Never write a summary that could read as "nothing failed" when Pester itself did not finish.
    Write-Error 'Pester returned no result; the run is counted as failed.'
    exit 1
}

# A container that failed to load (syntax error, failed BeforeAll) has no failed test; count it as a failure.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8

exit ([int]($failed -gt 0))
