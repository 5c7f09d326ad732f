# Runs the xunit and Pester suites for build.ps1 -Task Test and counts their results. Every way a run can go wrong
# without a failed test (a build error, a crashed host, a hung suite, a missing summary) is counted as a failure,
# never hidden.

Import-Module (Join-Path $PSScriptRoot 'InboxBuild.psm1')
# Get-PwshCommand: the running pwsh without the 'dotnet pwsh' tool shim, one process less per suite.
Import-Module (Join-Path $PSScriptRoot 'InboxRun.psm1')

$script:RepoRoot = Split-Path $PSScriptRoot

function New-TestCount([int] $Passed, [int] $Failed, [int] $Skipped) {
    [pscustomobject]@{ Passed = $Passed; Failed = $Failed; Skipped = $Skipped }
}

function Read-TrxCount {
    <# .SYNOPSIS Sums the counters of every .trx file in -Directory. #>
    param([Parameter(Mandatory)] [string] $Directory)
    $counts = New-TestCount
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

function Read-TrxFailure {
    <#
    .SYNOPSIS
        The name, the message (up to four lines, joined) and the first stack frame of every failed test in the .trx
        files of -Directory, so the end of a CI log (often all that is kept) says which test failed, where, and with
        which values, not only how many.
    #>
    param([Parameter(Mandatory)] [string] $Directory)
    foreach ($file in Get-ChildItem $Directory -Filter '*.trx' -ErrorAction SilentlyContinue) {
        $xml = [xml](Get-Content -Raw -LiteralPath $file.FullName)
        foreach ($result in @($xml.TestRun.Results.UnitTestResult)) {
            if ($null -eq $result -or $result.outcome -ne 'Failed') { continue }
            $lines = "$($result.Output.ErrorInfo.Message)".Trim() -split "`r?`n" | ForEach-Object Trim | Where-Object { $_ }
            $frame = "$($result.Output.ErrorInfo.StackTrace)".Trim() -split "`r?`n" | Select-Object -First 1
            "$($result.testName): $(@($lines | Select-Object -First 4) -join ' | ')$(if ($frame) { " [$($frame.Trim())]" })"
        }
    }
}

function Read-PesterSuiteCount {
    <#
    .SYNOPSIS
        One suite's counts from the summary tools/Invoke-PesterSuite.ps1 wrote. A missing or incomplete summary, or a
        non-zero exit code without a failed test, is one failure.
    #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $SummaryPath, [Parameter(Mandatory)] [int] $ExitCode)
    $counts = New-TestCount -Failed 1
    if (Test-Path $SummaryPath) {
        $p = Get-Content -Raw $SummaryPath | ConvertFrom-Json
        if ($null -ne $p.Passed -and $null -ne $p.Failed -and $null -ne $p.Skipped) {
            $counts = New-TestCount ([int]$p.Passed) ([int]$p.Failed) ([int]$p.Skipped)
        }
        else {
            Write-Host "$($Name): the Pester summary is incomplete; counted as one failure." -ForegroundColor Red
        }
    }
    else {
        Write-Host "$($Name): Pester wrote no summary (exit code $ExitCode); counted as one failure." -ForegroundColor Red
    }
    if ($ExitCode -ne 0 -and $counts.Failed -eq 0) {
        Write-Host "$($Name): Pester exited with $ExitCode without a failed test; counted as one failure." -ForegroundColor Red
        $counts.Failed = 1
    }
    return $counts
}

function Invoke-InboxXunit {
    <# .SYNOPSIS dotnet test of the whole solution with TRX results in -ResultsDirectory; returns the counts. #>
    param(
        [Parameter(Mandatory)] [string] $ResultsDirectory,
        [string] $Configuration = 'Release',
        [string[]] $DotnetArguments = @(),
        [int] $TimeoutMinutes = 20
    )
    $exitCode = Invoke-Native dotnet (@('test', (Join-Path $script:RepoRoot 'InboxPS.sln'), '-c', $Configuration, '--nologo',
        '--logger', 'trx', '--logger', 'console;verbosity=minimal', '--results-directory', $ResultsDirectory) + $DotnetArguments) -AllowFailure -TimeoutMinutes $TimeoutMinutes
    $counts = Read-TrxCount $ResultsDirectory
    if ($exitCode -ne 0 -and $counts.Failed -eq 0) {
        Write-Host 'dotnet test failed before reporting a failed test; counted as one failure.' -ForegroundColor Red
        $counts.Failed = 1
    }
    return $counts
}

function Invoke-InboxPester {
    <#
    .SYNOPSIS
        Runs every tests/pester/*.Tests.ps1 in a fresh pwsh of its own (tools/Invoke-PesterSuite.ps1) and returns the
        summed counts. A suite that outlives -TimeoutMinutes is stopped and counted as failed.
    .DESCRIPTION
        Each suite imports the built module once into its own process and talks to its simulator over HTTPS. .NET on
        Linux reads SSL_CERT_FILE natively, once, at the first certificate check, so setting it inside the process is
        too late: the suite's process starts with SSL_CERT_FILE naming the CA file its simulator will write into a
        fresh work folder (INBOXPS_TEST_SIMULATOR_HOME, see tests/pester/common.ps1).
    #>
    param(
        # By default the module ./build.ps1 -Task Build made, and the simulator built (again) here.
        [string] $ModuleManifest = (Join-Path $script:RepoRoot "out/InboxPS/$(Get-InboxModuleVersion)/InboxPS.psd1"),
        [string] $SimulatorPath = (Build-InboxSimulator),
        [string] $ResultsDirectory = (Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-pester-' + [guid]::NewGuid().ToString('N'))),
        [int] $TimeoutMinutes = 10,
        # Which suites, e.g. Sync.Tests.ps1 to run one.
        [string] $Filter = '*.Tests.ps1'
    )
    $null = New-Item -ItemType Directory -Force $ResultsDirectory
    $pwsh = @(Get-PwshCommand)
    $total = New-TestCount
    $suites = @(Get-ChildItem (Join-Path $script:RepoRoot 'tests/pester') -Filter $Filter -File | Sort-Object Name)
    if (-not $suites) { Write-Host "No Pester suite matches $Filter." -ForegroundColor Red }
    foreach ($suite in $suites) {
        $name = $suite.BaseName
        $summaryPath = Join-Path $ResultsDirectory "pester-$name.json"
        $simulatorHome = Join-Path $ResultsDirectory "simulator-$name"
        $null = New-Item -ItemType Directory -Force $simulatorHome
        $environment = @{ INBOXPS_TEST_SIMULATOR_HOME = $simulatorHome; SSL_CERT_FILE = Join-Path $simulatorHome 'ca.pem' }
        $exitCode = Invoke-Native $pwsh[0] (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-PesterSuite.ps1'),
                '-Path', $suite.FullName, '-ModuleManifest', $ModuleManifest, '-SimulatorPath', $SimulatorPath, '-SummaryPath', $summaryPath)) `
            -Environment $environment -TimeoutMinutes $TimeoutMinutes -AllowFailure
        $counts = Read-PesterSuiteCount -Name $name -SummaryPath $summaryPath -ExitCode $exitCode
        $total.Passed += $counts.Passed
        $total.Failed += $counts.Failed
        $total.Skipped += $counts.Skipped
    }
    return $total
}

function Write-TestSummary {
    <#
    .SYNOPSIS
        Prints each runner's counts and the closing line CI reads, 'tests: N passed, N failed, N skipped'; returns
        $true when the run passed: no failure and at least one passed test.
    #>
    param(
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Counts,
        # Listed above the counts: the names of the failed tests (Read-TrxFailure).
        [string[]] $FailedTests = @()
    )
    $total = New-TestCount
    foreach ($failure in $FailedTests) { Write-Host "failed: $failure" -ForegroundColor Red }
    foreach ($runner in $Counts.Keys) {
        $c = $Counts[$runner]
        Write-Host ("{0,-7} {1} passed, {2} failed, {3} skipped" -f "$($runner):", $c.Passed, $c.Failed, $c.Skipped)
        $total.Passed += $c.Passed
        $total.Failed += $c.Failed
        $total.Skipped += $c.Skipped
    }
    Write-Host "tests: $($total.Passed) passed, $($total.Failed) failed, $($total.Skipped) skipped"
    return ($total.Failed -eq 0 -and $total.Passed -gt 0)
}

Export-ModuleMember -Function Read-TrxCount, Read-TrxFailure, Read-PesterSuiteCount, Invoke-InboxXunit, Invoke-InboxPester, Write-TestSummary
