#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests and demonstrates InboxPS. Run it with the pinned PowerShell: dotnet tool restore; dotnet pwsh ./build.ps1

.DESCRIPTION
    Tasks (each is documented in README.md too):

      Build  Publishes the module into out/InboxPS/<version>/: manifest, format file, help, the InboxPS and
             InboxPS.Core assemblies with their dependencies, and the native SQLite library for every platform the
             module claims under dependencies/runtimes/<rid>/native/ (README "Isolation").
      Demo   (default) The main job, against the bundled Exchange simulator: Build, start the simulator with a sample
             tenant of 200 users (a few deliberately broken), then in a fresh pwsh configure an organization, connect
             app-only, pipe the users through Start-InboxSync and print the results and a status summary.
      Test   Build, then the xunit suites, then the Pester suites against the BUILT module in a fresh pwsh process.
             Ends with one line 'tests: N passed, N failed, N skipped' summing every suite; exits non-zero when a test
             failed or no test ran.
      Package Build, then out/packages/InboxPS.<version>.nupkg: the module in PowerShell's package layout (module
              files at the package root, a .nuspec with the manifest's metadata), installable with Save-PSResource
              or Install-PSResource from a folder repository.
      Bench  Build, then measure InboxPS against the simulator process (bulk activation at several ThrottleLimits,
             one 100,000-item mailbox, memory for 1,000 vs 100,000 piped users, start-up, the EWS parser) and write
             docs/benchmarks.md from that run. Not part of CI: about 35 minutes on two cores (-Quick: a few minutes,
             small sizes, to try the script, not for numbers).
      Soak   Build, then the fault campaign (tests/soak/Invoke-InboxSoak.ps1): 2,000 mailboxes under transient faults,
             throttling storms, one-minute tokens, connection resets and a hard kill followed by a rerun. Prints the
             figures and exits non-zero when users are lost, items duplicated or missing, or a back-off was ignored.
             tests/pester/Soak.Tests.ps1 runs a short form in the Test task.

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

    # Bench only: small sizes and one run each, to try the benchmark script rather than to produce numbers.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepoRoot = $PSScriptRoot
$OutRoot = if ($ArtifactsPath) { Join-Path ([System.IO.Path]::GetFullPath($ArtifactsPath)) 'out' } else { Join-Path $RepoRoot 'out' }
# Extra arguments for every dotnet build/test/restore: an artifacts folder when one was asked for.
$DotnetArtifacts = if ($ArtifactsPath) { @('--artifacts-path', [System.IO.Path]::GetFullPath($ArtifactsPath)) } else { @() }
# The platforms the module claims; each gets its native SQLite library in the package.
$SupportedRuntimes = @('linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64')

function Invoke-Native {
    # Runs an external command and stops the build when it fails (PowerShell does not, on its own). With -TimeoutMinutes
    # a command that hangs is killed with its children and reported, so a stuck test can never stall CI.
    param([Parameter(Mandatory)] [string] $Command, [string[]] $Arguments = @(), [switch] $AllowFailure, [int] $TimeoutMinutes)
    Write-Host "> $Command $($Arguments -join ' ')" -ForegroundColor DarkGray
    if ($TimeoutMinutes) {
        $info = [System.Diagnostics.ProcessStartInfo]::new($Command)
        foreach ($argument in $Arguments) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        if (-not $process.WaitForExit([TimeSpan]::FromMinutes($TimeoutMinutes))) {
            $process.Kill($true)
            $process.WaitForExit()
            Write-Host "'$Command $($Arguments -join ' ')' did not finish within $TimeoutMinutes minutes and was stopped." -ForegroundColor Red
            $exitCode = 124
        }
        else {
            $exitCode = $process.ExitCode
        }
    }
    else {
        & $Command @Arguments | Out-Host
        $exitCode = $LASTEXITCODE
    }
    if ($exitCode -ne 0 -and -not $AllowFailure) {
        throw "'$Command $($Arguments -join ' ')' failed with exit code $exitCode."
    }
    return $exitCode
}

function Get-ModuleVersion {
    $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'module/InboxPS/InboxPS.psd1')
    $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
    $projectVersion = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
    if ($manifest.ModuleVersion -ne $projectVersion) {
        throw "Version mismatch: module/InboxPS/InboxPS.psd1 says $($manifest.ModuleVersion), Directory.Build.props says $projectVersion. Make them equal."
    }
    return $manifest.ModuleVersion
}

function Get-ModuleOutputPath {
    return Join-Path $OutRoot "InboxPS/$(Get-ModuleVersion)"
}

function Invoke-BuildTask {
    $version = Get-ModuleVersion
    $moduleOut = Get-ModuleOutputPath
    $publishDir = Join-Path $OutRoot 'publish'
    $loaderDir = Join-Path $OutRoot 'publish-loader'

    foreach ($dir in @($moduleOut, $publishDir, $loaderDir)) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }

    $null = Invoke-Native dotnet (@('publish', (Join-Path $RepoRoot 'src/InboxPS/InboxPS.csproj'), '-c', $Configuration,
        '-o', $publishDir, '-p:ContinuousIntegrationBuild=true', '--nologo', '-v', 'quiet') + $DotnetArtifacts)

    $null = New-Item -ItemType Directory -Force $moduleOut
    Copy-Item -Recurse (Join-Path $RepoRoot 'module/InboxPS/*') $moduleOut

    # Isolation (README): only what PowerShell must see sits at the module root: the cmdlets, the loader (a nested module
    # that runs first) and the private load context for PowerShell 7. InboxPS.Core, MSAL, SQLite and the rest go to
    # dependencies/, where PowerShell never probes. System.Management.Automation comes from PowerShell itself.
    foreach ($project in 'InboxPS.Loader', 'InboxPS.LoadContext') {
        $null = Invoke-Native dotnet (@('publish', (Join-Path $RepoRoot "src/$project/$project.csproj"), '-c', $Configuration,
            '-o', $loaderDir, '-p:ContinuousIntegrationBuild=true', '--nologo', '-v', 'quiet') + $DotnetArtifacts)
    }
    $dependencies = Join-Path $moduleOut 'dependencies'
    $null = New-Item -ItemType Directory -Force $dependencies
    Copy-Item (Join-Path $publishDir 'InboxPS.dll'), (Join-Path $loaderDir 'InboxPS.Loader.dll'), (Join-Path $loaderDir 'InboxPS.LoadContext.dll') -Destination $moduleOut
    Get-ChildItem $publishDir -Filter '*.dll' |
        Where-Object { $_.Name -notin @('InboxPS.dll', 'System.Management.Automation.dll') } |
        Copy-Item -Destination $dependencies

    foreach ($rid in $SupportedRuntimes) {
        $native = Join-Path $publishDir "runtimes/$rid/native"
        if (-not (Test-Path $native) -or -not (Get-ChildItem $native)) {
            throw "The native SQLite library for $rid is missing from the publish output ($native)."
        }
        # Beside InboxPS.Core.dll, where src/InboxPS.Core/Store/NativeSqlite.cs looks.
        $target = Join-Path $dependencies "runtimes/$rid/native"
        $null = New-Item -ItemType Directory -Force $target
        Copy-Item (Join-Path $native '*') $target
    }

    # Cmdlet help: docs/en-US/*.md to MAML, with parameter facts read from the built cmdlets (in a fresh pwsh, so this
    # process never loads the module it may rebuild).
    $null = Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/tools/ConvertTo-MamlHelp.ps1'),
        '-ModuleManifest', (Join-Path $moduleOut 'InboxPS.psd1'), '-DocsPath', (Join-Path $RepoRoot 'docs/en-US'),
        '-OutputPath', (Join-Path $moduleOut 'en-US/InboxPS.dll-Help.xml'))

    Write-Host "Built InboxPS $version into $moduleOut" -ForegroundColor Green
}

function Read-TrxCounts {
    param([string] $Directory)
    $counts = @{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in Get-ChildItem $Directory -Filter '*.trx' -ErrorAction SilentlyContinue) {
        # -LiteralPath: two suites finishing in the same second get names like '..._net10.0[1].trx', a wildcard otherwise.
        $xml = [xml](Get-Content -Raw -LiteralPath $file.FullName)
        $c = $xml.TestRun.ResultSummary.Counters
        $counts.Passed += [int]$c.passed
        $counts.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        # The TRX logger counts a skipped xunit test in total but not in executed, and leaves notExecuted at 0.
        $counts.Skipped += [Math]::Max([int]$c.notExecuted, [int]$c.total - [int]$c.executed)
    }
    return $counts
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $package = & (Join-Path $RepoRoot 'tests/tools/New-ModulePackage.ps1') -ModulePath (Get-ModuleOutputPath) -OutputPath (Join-Path $OutRoot 'packages')
    Write-Host "Packed $($package.FullName)" -ForegroundColor Green
}

function Invoke-TestTask {
    Invoke-BuildTask
    $results = Join-Path $OutRoot 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $null = New-Item -ItemType Directory -Force $results

    # xunit: every test project in the solution.
    $xunitExit = Invoke-Native dotnet (@('test', (Join-Path $RepoRoot 'InboxPS.sln'), '-c', $Configuration, '--nologo',
        '--logger', 'trx', '--logger', 'console;verbosity=minimal', '--results-directory', $results) + $DotnetArtifacts) -AllowFailure -TimeoutMinutes 20
    $xunit = Read-TrxCounts $results
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) {
        # The runner failed without a failed test (a build error, a crashed host): count it, never hide it.
        $xunit.Failed = 1
        Write-Host 'dotnet test failed before reporting a failed test; counted as one failure.' -ForegroundColor Red
    }

    # Pester: restored from NuGet, run in a fresh pwsh so the built module is imported into a clean session.
    $null = Invoke-Native dotnet (@('restore', (Join-Path $RepoRoot 'tests/tools/TestTools.csproj'), '--nologo', '-v', 'quiet') + $DotnetArtifacts)
    $pesterSummary = Join-Path $results 'pester-summary.json'
    $pesterExit = Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File',
        (Join-Path $RepoRoot 'tests/pester/Invoke-PesterSuite.ps1'),
        '-ModuleManifest', (Join-Path (Get-ModuleOutputPath) 'InboxPS.psd1'),
        '-SummaryPath', $pesterSummary) -AllowFailure -TimeoutMinutes 25
    $pester = @{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $pesterSummary) {
        $p = Get-Content -Raw $pesterSummary | ConvertFrom-Json
        if ($null -ne $p.Passed -and $null -ne $p.Failed -and $null -ne $p.Skipped) {
            $pester = @{ Passed = [int]$p.Passed; Failed = [int]$p.Failed; Skipped = [int]$p.Skipped }
        }
        else {
            Write-Host 'The Pester summary is incomplete; counted as one failure.' -ForegroundColor Red
        }
    }
    else {
        Write-Host "Pester wrote no summary (exit code $pesterExit); counted as one failure." -ForegroundColor Red
    }
    if ($pesterExit -ne 0 -and $pester.Failed -eq 0) {
        Write-Host "Pester exited with $pesterExit without a failed test; counted as one failure." -ForegroundColor Red
        $pester.Failed = 1
    }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host "xunit:  $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    Write-Host "pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    Write-Output "tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) {
        exit 1
    }
}

function Get-SimulatorPath {
    # Builds the Exchange simulator (tests/InboxPS.Simulator) and returns the path of its dll.
    $null = Invoke-Native dotnet (@('build', (Join-Path $RepoRoot 'tests/InboxPS.Simulator/InboxPS.Simulator.csproj'), '-c', 'Release',
        '--nologo', '-v', 'quiet') + $DotnetArtifacts)
    if ($ArtifactsPath) {
        return Join-Path ([System.IO.Path]::GetFullPath($ArtifactsPath)) 'bin/InboxPS.Simulator/release/InboxPS.Simulator.dll'
    }
    return Join-Path $RepoRoot 'tests/InboxPS.Simulator/bin/Release/net10.0/InboxPS.Simulator.dll'
}

function Invoke-DemoTask {
    Invoke-BuildTask
    Import-Module (Join-Path $RepoRoot 'tests/tools/InboxSimulator.psm1') -Force
    $simulator = Start-InboxSimulator -SimulatorPath (Get-SimulatorPath) -ArgumentList '--users', '200', '--seed', '7', '--broken'
    try {
        $demoHome = Join-Path $OutRoot 'demo'
        if (Test-Path $demoHome) { Remove-Item -Recurse -Force $demoHome }
        $null = New-Item -ItemType Directory -Force $demoHome
        $json = $simulator | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
        # A fresh pwsh, as an admin's console: it trusts the simulator's CA like an internal CA, and keeps its store
        # in out/demo. Only this child gets SSL_CERT_FILE; the build's own NuGet traffic keeps the system trust.
        $environment = @{ SSL_CERT_FILE = $simulator.caCertificatePath; INBOXPS_HOME = $demoHome }
        $saved = @{}
        foreach ($key in $environment.Keys) {
            $saved[$key] = [Environment]::GetEnvironmentVariable($key)
            [Environment]::SetEnvironmentVariable($key, $environment[$key])
        }
        try {
            $null = Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/demo/Invoke-InboxDemo.ps1'),
                '-ModuleManifest', (Join-Path (Get-ModuleOutputPath) 'InboxPS.psd1'), '-SimulatorJson', $json)
        }
        finally {
            foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
        }
    }
    finally {
        $simulator | Stop-InboxSimulator
    }
}

function Invoke-BenchTask {
    Invoke-BuildTask
    $arguments = @{
        ModuleManifest = Join-Path (Get-ModuleOutputPath) 'InboxPS.psd1'
        SimulatorPath  = Get-SimulatorPath
        OutputPath     = Join-Path $RepoRoot 'docs/benchmarks.md'
        CommandLine    = "dotnet pwsh ./build.ps1 -Task Bench$(if ($Quick) { ' -Quick' })"
        Quick          = $Quick
    }
    if ($ArtifactsPath) { $arguments.ArtifactsPath = [System.IO.Path]::GetFullPath($ArtifactsPath) }
    & (Join-Path $RepoRoot 'tests/InboxPS.Benchmarks/Invoke-InboxBenchmark.ps1') @arguments
}

function Invoke-SoakTask {
    Invoke-BuildTask
    & (Join-Path $RepoRoot 'tests/soak/Invoke-InboxSoak.ps1') -ModuleManifest (Join-Path (Get-ModuleOutputPath) 'InboxPS.psd1') -SimulatorPath (Get-SimulatorPath)
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

Push-Location $RepoRoot
try {
    switch ($Task) {
        'Demo' { Invoke-DemoTask }
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Package' { Invoke-PackageTask }
        'Bench' { Invoke-BenchTask }
        'Soak' { Invoke-SoakTask }
    }
}
finally {
    Pop-Location
}
