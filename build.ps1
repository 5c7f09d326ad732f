#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests and demonstrates InboxPS. Run it with the pinned PowerShell: dotnet tool restore; dotnet pwsh ./build.ps1

.DESCRIPTION
    A short list of tasks over the steps in tools/ (InboxBuild.psm1, InboxTest.psm1, InboxSimulator.psm1).
    Tasks (each is documented in README.md too):

      Build  Publishes the module into out/InboxPS/<version>/: manifest, format file, help, the InboxPS and
             InboxPS.Core assemblies with their dependencies, and the native SQLite library for every platform the
             module claims under dependencies/runtimes/<rid>/native/ (README "Isolation").
      Demo   (default) The main job, against the bundled Exchange simulator: Build, start the simulator with a sample
             tenant of 200 users (a few deliberately broken), then in a fresh pwsh configure an organization, connect
             app-only, pipe the users through Start-InboxSync and print the results and a status summary.
      Test   Build, start a throwaway PostgreSQL server (tools/InboxPostgres.psm1: installed from Debian's packages in CI
             when missing; skipped with a message on a developer's machine without it), then the xunit suites, then each Pester suite in a fresh pwsh of its own that imports the BUILT
             module once (a suite that hangs is stopped after ten minutes and counted as failed). Ends with one line
             'tests: N passed, N failed, N skipped' summing every suite; exits non-zero when a test failed or no test ran.
      Package Build, then out/packages/InboxPS.<version>.nupkg: the module in PowerShell's package layout (module
              files at the package root, a .nuspec with the manifest's metadata), installable with Save-PSResource
              or Install-PSResource from a folder repository.
      Bench  Build, then measure InboxPS against the simulator process with an honest server (service time per
             call, item and KB; a front-end capacity the client is not told; Exchange's per-mailbox budgets): bulk
             activation of 1,000 and 10,000 mailboxes with and without -ThrottleLimit, a capacity storm, 10 % of
             mailboxes backing off 300 s, calls per mailbox, one 100,000-item mailbox, Graph, memory of a real sync
             of 1,000 vs 100,000 users, start-up, the EWS parser; every efficiency against the limit computed from
             the server's model. Writes docs/benchmarks.md (naming the commit, and saying if the tree was dirty).
             Not part of CI: about an hour on two cores (-Quick: every row at small sizes in a few minutes, to try
             the harness, not for numbers).
      Soak   Build, then the fault campaign (tests/soak/Invoke-InboxSoak.ps1) over EWS and over Graph: 1,000
             mailboxes each under transient faults, throttling storms, invalid sync states, a folder deletion,
             one-minute tokens and a hard kill followed by a rerun after changes and moves. Prints the figures, writes
             docs/soak.md, and exits non-zero when users are lost, items duplicated, missing or stale, or a back-off
             was ignored.
             tests/pester/Soak.Tests.ps1 runs a short form in the Test task. Then the multi-worker campaign
             (tests/soak/Invoke-InboxSharedSoak.ps1): three workers on one PostgreSQL store, one hard-killed twice.

.PARAMETER Task
    What to do: Demo (the default), Build, Test, Package, Bench or Soak.

.PARAMETER Configuration
    The .NET build configuration; Release unless you are debugging the build itself.

.PARAMETER ArtifactsPath
    Put every build output (bin, obj, out) under this folder instead of the repository, so several builds of one
    checkout can run side by side.

.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Demo', 'Build', 'Test', 'Package', 'Bench', 'Soak')]
    [string] $Task = 'Demo',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $ArtifactsPath,

    # Bench only: every row at small sizes, one run each (10-second back-offs), to try the harness, not for numbers.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# The steps live in tools/: building (InboxBuild.psm1), running and counting tests (InboxTest.psm1), the simulator.
Import-Module (Join-Path $PSScriptRoot 'tools/InboxBuild.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'tools/InboxTest.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'tools/InboxSimulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'tools/InboxPostgres.psm1') -Force

$RepoRoot = $PSScriptRoot
$Artifacts = if ($ArtifactsPath) { [System.IO.Path]::GetFullPath($ArtifactsPath) }
$OutRoot = if ($Artifacts) { Join-Path $Artifacts 'out' } else { Join-Path $RepoRoot 'out' }
# Extra arguments for every dotnet build/test/restore: an artifacts folder when one was asked for.
$DotnetArtifacts = if ($Artifacts) { @('--artifacts-path', $Artifacts) } else { @() }

# Synopsis: the module in out/InboxPS/<version>/; returns its manifest.
function Invoke-BuildTask {
    Build-InboxModule -OutRoot $OutRoot -Configuration $Configuration -DotnetArguments $DotnetArtifacts
}

# Synopsis: Build, then the admin's script against a simulated 200-user tenant, a few users broken on purpose.
function Invoke-DemoTask {
    $manifest = Invoke-BuildTask
    $simulator = Start-InboxSimulator -SimulatorPath (Build-InboxSimulator -ArtifactsPath $Artifacts) -ArgumentList '--users', '200', '--seed', '7', '--broken'
    try {
        $demoHome = Join-Path $OutRoot 'demo'
        if (Test-Path $demoHome) { Remove-Item -Recurse -Force $demoHome }
        $null = New-Item -ItemType Directory -Force $demoHome
        # A fresh pwsh, as an admin's console: it trusts the simulator's CA like an internal CA and keeps its store in
        # out/demo.
        $null = Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'demo/Invoke-InboxDemo.ps1'),
            '-ModuleManifest', $manifest, '-SimulatorJson', ($simulator | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress)) `
            -Environment @{ SSL_CERT_FILE = $simulator.caCertificatePath; INBOXPS_HOME = $demoHome }
    }
    finally {
        $simulator | Stop-InboxSimulator
    }
}

# Synopsis: Build, then xunit and every Pester suite; ends with 'tests: N passed, N failed, N skipped'.
function Invoke-TestTask {
    $manifest = Invoke-BuildTask
    $results = Join-Path $OutRoot 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $null = New-Item -ItemType Directory -Force $results
    $counts = [ordered]@{}
    # A throwaway PostgreSQL server for the shared-store tests ($env:INBOXPS_TEST_POSTGRES), stopped even on failure.
    $postgres = Start-InboxPostgres
    try {
        $counts.xunit = Invoke-InboxXunit -ResultsDirectory $results -Configuration $Configuration -DotnetArguments $DotnetArtifacts
        # Pester and the test assets come from NuGet (tests/tools/TestTools.csproj), never from the PowerShell Gallery.
        $null = Invoke-Native dotnet (@('restore', (Join-Path $RepoRoot 'tests/tools/TestTools.csproj'), '--nologo', '-v', 'quiet') + $DotnetArtifacts)
        $counts.pester = Invoke-InboxPester -ModuleManifest $manifest -SimulatorPath (Build-InboxSimulator -ArtifactsPath $Artifacts) -ResultsDirectory $results
    }
    finally {
        $postgres | Stop-InboxPostgres
    }
    if (-not (Write-TestSummary $counts -FailedTests @(Read-TrxFailure $results))) { exit 1 }
}

# Synopsis: Build, then out/packages/InboxPS.<version>.nupkg, packed by PSResourceGet.
function Invoke-PackageTask {
    $manifest = Invoke-BuildTask
    $package = & (Join-Path $RepoRoot 'tools/New-ModulePackage.ps1') -ModulePath (Split-Path $manifest) -OutputPath (Join-Path $OutRoot 'packages')
    Write-Host "Packed $($package.FullName)" -ForegroundColor Green
}

# Synopsis: Build, then measure against the simulator and write docs/benchmarks.md (not CI; -Quick to try it).
function Invoke-BenchTask {
    $arguments = @{
        ModuleManifest = Invoke-BuildTask
        SimulatorPath  = Build-InboxSimulator -ArtifactsPath $Artifacts
        OutputPath     = Join-Path $RepoRoot 'docs/benchmarks.md'
        CommandLine    = "dotnet pwsh ./build.ps1 -Task Bench$(if ($Quick) { ' -Quick' })"
        Quick          = $Quick
    }
    if ($Artifacts) { $arguments.ArtifactsPath = $Artifacts }
    & (Join-Path $RepoRoot 'tests/InboxPS.Benchmarks/Invoke-InboxBenchmark.ps1') @arguments
    # The shared store's rows (issue 16): PostgreSQL vs SQLite for one worker, and 1, 2, 3 workers on PostgreSQL.
    $shared = @{ ModuleManifest = $arguments.ModuleManifest; SimulatorPath = $arguments.SimulatorPath; CommandLine = $arguments.CommandLine
        OutputPath = Join-Path $RepoRoot 'docs/benchmarks-shared.md' }
    if ($Quick) { $shared.Mailboxes = 60; $shared.Runs = 1 }
    & (Join-Path $RepoRoot 'tests/InboxPS.Benchmarks/Invoke-InboxSharedBenchmark.ps1') @shared
}

# Synopsis: Build, then the fault campaign with 1,000 mailboxes per protocol (docs/soak.md); exits 1 when a must-be-zero figure is not zero.
function Invoke-SoakTask {
    $manifest = Invoke-BuildTask
    $simulatorPath = Build-InboxSimulator -ArtifactsPath $Artifacts
    # Over EWS and over Graph; writes docs/soak.md from this run.
    & (Join-Path $RepoRoot 'tests/soak/Invoke-InboxSoak.ps1') -ModuleManifest $manifest -SimulatorPath $simulatorPath `
        -ReportPath (Join-Path $RepoRoot 'docs/soak.md')
    $single = $LASTEXITCODE
    # The multi-worker campaign (issue 16): three workers on one PostgreSQL store (a throwaway server of its own).
    & (Join-Path $RepoRoot 'tests/soak/Invoke-InboxSharedSoak.ps1') -ModuleManifest $manifest -SimulatorPath $simulatorPath
    $shared = $LASTEXITCODE
    if ($single -ne 0 -or $shared -ne 0) { exit 1 }
}

Push-Location $RepoRoot
try {
    switch ($Task) {
        'Demo' { Invoke-DemoTask }
        'Build' { $null = Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Package' { Invoke-PackageTask }
        'Bench' { Invoke-BenchTask }
        'Soak' { Invoke-SoakTask }
    }
}
finally {
    Pop-Location
}
