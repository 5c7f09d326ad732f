#Requires -Version 7.2
<#
.SYNOPSIS
    The shared store's benchmark rows (issue 16), run by build.ps1 -Task Bench after the main benchmark: one worker on
    PostgreSQL against one on SQLite, and 1, 2 and 3 workers on PostgreSQL against a server whose budget exceeds one
    worker's ceiling. Writes docs/benchmarks-shared.md.

.DESCRIPTION
    Each run is tests/soak/Invoke-InboxSharedSoak.ps1 without faults and without kills: -Workers fresh pwsh processes,
    each connected app-only and piping the same mailboxes into Start-InboxSync -ThrottleLimit $ThrottleLimit, the
    simulator with Exchange-like latency and a server capacity of 4 x ThrottleLimit x 3 (so three workers are not
    capped by the server). Figures are medians of -Runs runs, the settings interleaved.
      - ratio PG/SQLite: sync time of one worker on PostgreSQL / one worker on SQLite (target <= 1.1);
      - scaling: mailboxes per second of k workers / of one worker (target for 3 workers >= 2.7).
    Sync time runs from the first worker signed in to the last result; wall time (also shown) adds each worker's pwsh
    start-up, module import and sign-in, which on a loaded machine can outweigh the syncing itself.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [int] $Mailboxes = 600,
    [int] $ThrottleLimit = 4,
    [int] $LatencyMs = 25,
    [int] $Runs = 3,
    [string] $CommandLine = 'dotnet pwsh ./build.ps1 -Task Bench'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxPostgres.psm1') -Force
$soak = Join-Path $PSScriptRoot '../soak/Invoke-InboxSharedSoak.ps1'
$server = if (-not $env:INBOXPS_TEST_POSTGRES) { Start-InboxPostgres } else { $null }
try {
    $settings = @(
        @{ Name = 'SQLite, 1 worker'; Store = 'Sqlite'; Workers = 1 }
        @{ Name = 'PostgreSQL, 1 worker'; Store = 'Postgres'; Workers = 1 }
        @{ Name = 'PostgreSQL, 2 workers'; Store = 'Postgres'; Workers = 2 }
        @{ Name = 'PostgreSQL, 3 workers'; Store = 'Postgres'; Workers = 3 }
    )
    $seconds = @{}
    $wall = @{}
    foreach ($run in 1..$Runs) {
        foreach ($setting in $settings) {
            $summaryPath = Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-sharedbench-' + [guid]::NewGuid().ToString('N') + '.json')
            & $soak -ModuleManifest $ModuleManifest -SimulatorPath $SimulatorPath -Mailboxes $Mailboxes -Workers $setting.Workers `
                -ThrottleLimit $ThrottleLimit -FaultRate 0 -Kills 0 -LatencyMs $LatencyMs -Store $setting.Store -SummaryPath $summaryPath | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "The run '$($setting.Name)' failed its checks." }
            $summary = Get-Content -Raw $summaryPath | ConvertFrom-Json
            Remove-Item $summaryPath
            if (-not $seconds.ContainsKey($setting.Name)) { $seconds[$setting.Name] = [System.Collections.Generic.List[double]]::new() }
            if (-not $wall.ContainsKey($setting.Name)) { $wall[$setting.Name] = [System.Collections.Generic.List[double]]::new() }
            $seconds[$setting.Name].Add($summary.SyncSeconds)
            $wall[$setting.Name].Add($summary.Seconds)
            Write-Host ("run {0}: {1}: sync {2} s, wall {3} s" -f $run, $setting.Name, $summary.SyncSeconds, $summary.Seconds)
        }
    }
    function Median([double[]] $Values) { $sorted = @($Values | Sort-Object); $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)] }
    $median = @{}
    foreach ($setting in $settings) { $median[$setting.Name] = Median $seconds[$setting.Name] }
    $one = $median['PostgreSQL, 1 worker']
    $lines = @(
        '# Shared store benchmark (issue 16)'
        ''
        "Made by ``$CommandLine`` on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC, $([Environment]::ProcessorCount) cores."
        "$Mailboxes mailboxes, -ThrottleLimit $ThrottleLimit per worker, $LatencyMs ms latency per EWS call, server capacity $(4 * $ThrottleLimit * 3) concurrent calls; median of $Runs runs. Sync seconds: from the first worker signed in to the last result; wall seconds add pwsh start-up, module import and sign-in."
        ''
        '| setting | sync seconds (median) | mailboxes/s | vs one PostgreSQL worker | wall seconds (median) |'
        '|---|---|---|---|---|'
    )
    foreach ($setting in $settings) {
        $s = $median[$setting.Name]
        $lines += '| {0} | {1:0.0} | {2:0.0} | {3:0.00} x | {4:0.0} |' -f $setting.Name, $s, ($Mailboxes / $s), ($one / $s), (Median $wall[$setting.Name])
    }
    $lines += ''
    $lines += 'PostgreSQL / SQLite time for one worker: {0:0.00} (target <= 1.1). Three workers: {1:0.00} x one worker''s throughput (target >= 2.7).' -f ($one / $median['SQLite, 1 worker']), ($one / $median['PostgreSQL, 3 workers'])
    Set-Content -Path $OutputPath -Value ($lines -join "`n")
    $lines | ForEach-Object { Write-Host $_ }
}
finally {
    if ($server) { $server | Stop-InboxPostgres }
}
