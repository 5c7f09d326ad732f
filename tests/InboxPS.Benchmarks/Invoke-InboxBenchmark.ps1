#Requires -Version 7.2
<#
.SYNOPSIS
    build.ps1 -Task Bench: measures InboxPS against the simulator process and writes docs/benchmarks.md. Not part of CI
    (about 35 minutes on two cores).

.DESCRIPTION
    Every figure is the median of -Runs runs made in this invocation (the runs of different settings interleaved, so
    a change of machine load falls on all of them alike), and every ratio is computed from those runs. The sync runs
    happen the way an admin runs InboxPS: a fresh pwsh with the built module, connected app-only, piping users into a
    cmdlet; the simulator runs as its own process with Exchange-like latency and a fixed concurrency budget.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    # Passed on to 'dotnet run' of the parser benchmark (build.ps1 -ArtifactsPath).
    [string] $ArtifactsPath,
    # How the benchmark was started, for the report.
    [string] $CommandLine = 'dotnet pwsh ./build.ps1 -Task Bench',
    [int] $Runs = 3,
    # Small sizes and one run each: to try the script itself, not for numbers.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# The runs happen in child processes: give them full paths.
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
$SimulatorPath = (Resolve-Path -LiteralPath $SimulatorPath).Path
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxSimulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxRun.psm1') -Force

# The server: 25 ms plus up to 10 ms of jitter per EWS call, and at most 16 EWS calls at once across all mailboxes
# (more get HTTP 503). Each mailbox has a few dozen items: 24 in Inbox, 12 in Sent Items.
$LatencyMs = 25
$JitterMs = 10
$ServerCapacity = 16
$ItemsPerFolder = 24
$ActivationPlan = if ($Quick) { @(@{ Mailboxes = 100; Limits = 1, 16 }, @{ Mailboxes = 400; Limits = 16 }) }
else { @(@{ Mailboxes = 1000; Limits = 1, 4, 16, 32 }, @{ Mailboxes = 10000; Limits = 16, 32 }) }
$BigFolderItems = if ($Quick) { 5000 } else { 100000 }
$MemoryUsers = if ($Quick) { 1000, 10000 } else { 1000, 100000 }
if ($Quick) { $Runs = 1 }

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Write-Step([string] $Text) { Write-Host "== $Text" -ForegroundColor Cyan }

function Get-UserInput([int] $Count, [int] $Mailboxes) {
    # Script text producing the first $Count of the simulator's $Mailboxes addresses, numbered from 1 and zero-padded
    # to at least four digits (as wide as the largest number), streamed one by one.
    return "1..$Count | ForEach-Object { 'user{0:d$([Math]::Max(4, "$Mailboxes".Length))}@contoso.test' -f `$_ }"
}

function Get-Count($Statuses, [string] $Status) {
    $property = $Statuses.PSObject.Properties[$Status]
    if ($property) { return [int]$property.Value }
    return 0
}

function Start-BenchSimulator([int] $Mailboxes, [int] $ItemsPerFolder, [int] $Latency = $LatencyMs, [int] $Jitter = $JitterMs) {
    return Start-InboxSimulator -SimulatorPath $SimulatorPath -ArgumentList @(
        '--users', $Mailboxes, '--items-per-folder', $ItemsPerFolder, '--seed', 7,
        '--latency-ms', $Latency, '--jitter-ms', $Jitter, '--server-capacity', $ServerCapacity)
}

function Invoke-MeasuredSync {
    <#
    .SYNOPSIS
        One connected run in a fresh pwsh: the simulator's metrics are reset just before the cmdlet starts and read
        right after it ends, so server time and wall time cover the same span.
    #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Pipeline)
    $storeHome = New-RunHome
    try {
        $script = @"
`$null = Invoke-RestMethod -Method Post -Uri (`$sim.controlUrl + 'metrics/reset')
`$clock = [System.Diagnostics.Stopwatch]::StartNew()
`$statuses = @{}
$Pipeline | ForEach-Object { `$statuses["`$(`$_.Status)"] = 1 + [int]`$statuses["`$(`$_.Status)"]; if (`$_.PSObject.Properties['ItemsAdded']) { `$script:items += `$_.ItemsAdded } }
`$clock.Stop()
`$m = Invoke-RestMethod -Uri (`$sim.controlUrl + 'metrics')
Write-RunResult @{ Seconds = `$clock.Elapsed.TotalSeconds; Statuses = `$statuses; Items = [long]`$script:items
    ServerBusySeconds = [TimeSpan]::Parse(`$m.serverBusyTime).TotalSeconds; Requests = `$m.ewsRequests; PeakConcurrency = `$m.peakConcurrency
    Refused503 = `$m.serverFull503; Throttled = `$m.throttledResponses }
"@
        $run = Invoke-InboxRun -Simulator $Simulator -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script ("`$script:items = 0`n" + $script)
        return $run.Results[0]
    }
    finally {
        Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    }
}

function Measure-Activation {
    $largest = ($ActivationPlan | ForEach-Object Mailboxes | Measure-Object -Maximum).Maximum
    $sim = Start-BenchSimulator -Mailboxes $largest -ItemsPerFolder $ItemsPerFolder
    try {
        $cases = foreach ($plan in $ActivationPlan) { foreach ($limit in $plan.Limits) { [pscustomobject]@{ Mailboxes = $plan.Mailboxes; Limit = $limit; Runs = @() } } }
        for ($run = 1; $run -le $Runs; $run++) {
            foreach ($case in $cases) {
                Write-Step "bulk activation: $($case.Mailboxes) mailboxes, ThrottleLimit $($case.Limit), run $run of $Runs"
                $pipeline = "$(Get-UserInput $case.Mailboxes $largest) | Start-InboxSync -ThrottleLimit $($case.Limit) -ErrorAction SilentlyContinue"
                $result = Invoke-MeasuredSync -Simulator $sim -Pipeline $pipeline
                $synced = Get-Count $result.Statuses 'Synced'
                if ($synced -ne $case.Mailboxes) { throw "Only $synced of $($case.Mailboxes) mailboxes synced: $($result.Statuses | ConvertTo-Json -Compress)" }
                Write-Host ("  {0:0.0} s, server busy {1:0.0} s, peak {2} concurrent, {3} refused with 503" -f $result.Seconds, $result.ServerBusySeconds, $result.PeakConcurrency, $result.Refused503)
                $case.Runs += $result
            }
        }
        return $cases
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Measure-ItemSync {
    $sim = Start-BenchSimulator -Mailboxes 1 -ItemsPerFolder $BigFolderItems
    try {
        $results = for ($run = 1; $run -le $Runs; $run++) {
            Write-Step "item sync: one mailbox, $BigFolderItems items in Inbox, run $run of $Runs"
            $result = Invoke-MeasuredSync -Simulator $sim -Pipeline "$(Get-UserInput 1 1) | Start-InboxSync -Folder Inbox"
            if ($result.Items -ne $BigFolderItems) { throw "The sync stored $($result.Items) items, not $BigFolderItems." }
            Write-Host ("  {0:0.0} s, server busy {1:0.0} s, {2} requests" -f $result.Seconds, $result.ServerBusySeconds, $result.Requests)
            $result
        }
        return @($results)
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Measure-Memory {
    # Peak working set (the kernel's high-water mark of resident memory, VmHWM, as Process.PeakWorkingSet64 reads it)
    # of the pwsh that pipes the users, read by that process as its last act.
    $largest = ($MemoryUsers | Measure-Object -Maximum).Maximum
    $sim = Start-BenchSimulator -Mailboxes $largest -ItemsPerFolder 2 -Latency 0 -Jitter 0
    try {
        $modes = @(
            @{ Name = 'Start-InboxSync -WhatIf'; Cmdlet = 'Start-InboxSync -WhatIf'; Connect = $false }
            @{ Name = 'Test-InboxImpersonation (preflight only)'; Cmdlet = 'Test-InboxImpersonation -ThrottleLimit 16'; Connect = $true }
        )
        $cases = foreach ($mode in $modes) { foreach ($users in $MemoryUsers) { [pscustomobject]@{ Mode = $mode.Name; Cmdlet = $mode.Cmdlet; Connect = $mode.Connect; Users = $users; Runs = @() } } }
        for ($run = 1; $run -le $Runs; $run++) {
            foreach ($case in $cases) {
                Write-Step "memory: $($case.Users) users piped into $($case.Cmdlet), run $run of $Runs"
                $storeHome = New-RunHome
                try {
                    $script = @"
`$count = 0
$(Get-UserInput $case.Users $largest) | $($case.Cmdlet) -ErrorAction SilentlyContinue | ForEach-Object { `$count++ }
Write-RunResult @{ Results = `$count; PeakWorkingSet = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 }
"@
                    $result = (Invoke-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script $script -NoConnect:(-not $case.Connect)).Results[0]
                }
                finally {
                    Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
                }
                if ($result.Results -ne $case.Users) { throw "$($case.Cmdlet) gave $($result.Results) results for $($case.Users) users." }
                Write-Host ("  peak working set {0:0} MB" -f ($result.PeakWorkingSet / 1MB))
                $case.Runs += $result
            }
        }
        return $cases
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Measure-Startup {
    $storeHome = New-RunHome
    try {
        $commands = [ordered]@{
            'pwsh -c exit' = 'exit'
            'Import-Module InboxPS; Get-InboxOrganization' = "Import-Module '$ModuleManifest'; `$null = Get-InboxOrganization"
        }
        $times = @{}
        foreach ($name in $commands.Keys) { $times[$name] = [System.Collections.Generic.List[double]]::new() }
        $rounds = if ($Quick) { 3 } else { 9 }
        # Round 0 warms the disk cache and creates the store; it is not counted.
        for ($round = 0; $round -le $rounds; $round++) {
            foreach ($name in $commands.Keys) {
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $process = Start-PwshProcess -Script $commands[$name] -Environment @{ INBOXPS_HOME = $storeHome }
                $process.StandardInput.Close()
                $null = $process.StandardOutput.ReadToEnd()
                $process.WaitForExit()
                $clock.Stop()
                if ($process.ExitCode -ne 0) { throw "'$name' failed: $($process.StandardErrorText.GetAwaiter().GetResult())" }
                $process.Dispose()
                if ($round -gt 0) { $times[$name].Add($clock.Elapsed.TotalSeconds) }
            }
        }
        Write-Step 'start-up measured'
        return $commands.Keys | ForEach-Object { [pscustomobject]@{ Name = $_; Seconds = Get-Median $times[$_]; Rounds = $rounds } }
    }
    finally {
        Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    }
}

function Measure-Parser {
    Write-Step 'parser and client benchmarks (tests/InboxPS.Benchmarks)'
    $table = Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-parser-' + [guid]::NewGuid().ToString('N') + '.md')
    $project = Join-Path $PSScriptRoot 'InboxPS.Benchmarks.csproj'
    $arguments = @('run', '-c', 'Release', '--project', $project) + $(if ($ArtifactsPath) { @('--artifacts-path', $ArtifactsPath) } else { @() }) +
        @('--', 'parser', 'client', '--out', $table)
    & dotnet @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The parser benchmark failed with exit code $LASTEXITCODE." }
    $text = Get-Content -Raw $table
    Remove-Item $table
    return $text.TrimEnd()
}

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { return ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' }
    return 'n/a'
}

function Get-MachineDescription {
    $cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value } else { 'unknown CPU' }
    $memoryGb = [GC]::GetGCMemoryInfo().TotalAvailableMemoryBytes / 1GB
    $commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null)
    $dirty = if (& git -C $PSScriptRoot status --porcelain --untracked-files=no 2>$null) { ' plus uncommitted changes' } else { '' }
    return [pscustomobject]@{
        Cores = [Environment]::ProcessorCount; MemoryGb = $memoryGb; Cpu = $cpu
        Os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription; Dotnet = [Environment]::Version.ToString()
        Pwsh = $PSVersionTable.PSVersion.ToString(); Commit = "$commit$dirty"
    }
}

function Format-Verdict([bool] $Met) { if ($Met) { 'met' } else { '**missed**' } }

function New-Report {
    param($Machine, $Activation, $Items, $Memory, $Startup, [string] $ParserTable, [string] $LoadBefore, [string] $LoadAfter, [TimeSpan] $Duration)
    $md = [System.Text.StringBuilder]::new()
    $line = { param($text) $null = $md.AppendLine($text) }

    # Per case: medians of the runs, and the efficiency of each run (ideal time / actual time) as a median too.
    $rows = foreach ($case in $Activation) {
        $seconds = Get-Median ($case.Runs | ForEach-Object Seconds)
        [pscustomobject]@{
            Mailboxes = $case.Mailboxes; Limit = $case.Limit; Seconds = $seconds
            PerMinute = Get-Median ($case.Runs | ForEach-Object { $case.Mailboxes / $_.Seconds * 60 })
            Efficiency = Get-Median ($case.Runs | ForEach-Object { $_.ServerBusySeconds / $ServerCapacity / $_.Seconds })
            BusySeconds = Get-Median ($case.Runs | ForEach-Object ServerBusySeconds)
            Refused = Get-Median ($case.Runs | ForEach-Object Refused503)
            Peak = Get-Median ($case.Runs | ForEach-Object PeakConcurrency)
            Runs = $case.Runs.Count
        }
    }
    $baseline = $rows | Where-Object Limit -eq 1 | Sort-Object Mailboxes | Select-Object -First 1
    $best = $rows | Sort-Object Efficiency -Descending | Select-Object -First 1
    $bestSpeedup = ($rows | ForEach-Object { $_.PerMinute / $baseline.PerMinute } | Measure-Object -Maximum).Maximum

    & $line '# InboxPS benchmarks'
    & $line ''
    & $line "Generated by ``$CommandLine`` on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC in $([int]$Duration.TotalMinutes) minutes. Do not edit: every number below comes from that run (medians of $Runs runs per figure, ratios computed from the runs)."
    & $line ''
    & $line "Machine: $($Machine.Cores) cores ($($Machine.Cpu)), $('{0:0.0}' -f $Machine.MemoryGb) GB memory, $($Machine.Os); .NET $($Machine.Dotnet), PowerShell $($Machine.Pwsh); commit $($Machine.Commit)."
    & $line "Load average (1, 5, 15 min) before: $LoadBefore; after: $LoadAfter. The simulator, the syncing pwsh and anything else running share these cores."
    & $line ''
    & $line '## The server'
    & $line ''
    & $line "The Exchange simulator (tests/InboxPS.Simulator) runs as its own process: every EWS call takes $LatencyMs ms plus up to $JitterMs ms of seeded jitter inside the server, and the server runs at most **$ServerCapacity EWS calls at once** (``--server-capacity $ServerCapacity``; more get HTTP 503, like an Exchange front end under load), with Exchange Online's per-mailbox budgets (27 concurrent calls, 5 concurrent sync calls per mailbox). Each mailbox holds $ItemsPerFolder items in Inbox and $($ItemsPerFolder / 2) in Sent Items; activating one is a preflight (GetFolder Inbox), SyncFolderHierarchy, GetFolder Sent Items, then SyncFolderItems and GetItem for each folder: 7 calls."
    & $line ''
    & $line "- **server busy time**: the simulator's own sum, over every EWS call of the run, of the time the call spent in the server (latency included), read from its metrics (``serverBusyTime``) after resetting them right before the cmdlet starts."
    & $line "- **ideal time** = server busy time / $($ServerCapacity): the shortest time the server's concurrency budget allows for that work."
    & $line '- **efficiency** = ideal time / actual time (the wall time of the cmdlet, from the first mailbox piped in to the last result). 1.0 means the server was kept exactly at its budget all the time; a client with fewer workers than the budget can reach at most ThrottleLimit / budget.'
    & $line "- **speedup** = mailboxes per minute / mailboxes per minute at ThrottleLimit 1 ($($baseline.Mailboxes) mailboxes)."
    & $line ''
    & $line '## Bulk activation'
    & $line ''
    & $line '| mailboxes | ThrottleLimit | time | mailboxes/min | server busy | ideal time | efficiency | speedup | peak concurrent calls | HTTP 503 |'
    & $line '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
    foreach ($row in $rows) {
        & $line ('| {0:N0} | {1} | {2:0.0} s | {3:N0} | {4:0} s | {5:0.0} s | {6:0.00} | {7:0.0} | {8} | {9} |' -f $row.Mailboxes, $row.Limit, $row.Seconds, $row.PerMinute,
            $row.BusySeconds, ($row.BusySeconds / $ServerCapacity), $row.Efficiency, ($row.PerMinute / $baseline.PerMinute), $row.Peak, $row.Refused)
    }
    $measured = $rows | ForEach-Object { "$($_.Mailboxes)/$($_.Limit)" }
    # The full plan skips the slowest combinations; say so, with what one run would take. -Quick claims nothing.
    foreach ($plan in $ActivationPlan | Where-Object { -not $Quick }) {
        foreach ($limit in 1, 4, 16, 32) {
            if ("$($plan.Mailboxes)/$limit" -notin $measured) {
                $estimate = $plan.Mailboxes * 7 * ($LatencyMs + $JitterMs / 2) / 1000 / [Math]::Min($limit, $ServerCapacity) / 60
                & $line ('| {0:N0} | {1} | not measured: about {2:0} min per run; the 1,000-mailbox rows show this ThrottleLimit | | | | | | | |' -f $plan.Mailboxes, $limit, $estimate)
            }
        }
    }
    & $line ''
    $speedupTarget = 0.9 * $ServerCapacity
    & $line ("Targets: efficiency at least 0.90 at the best ThrottleLimit: **{0:0.00}** ({1:N0} mailboxes, ThrottleLimit {2}): {3}. Speedup over ThrottleLimit 1 at least 0.9 x {4} = {5:0.0}: **{6:0.0}**: {7}." -f
        $best.Efficiency, $best.Mailboxes, $best.Limit, (Format-Verdict ($best.Efficiency -ge 0.9)), $ServerCapacity, $speedupTarget, $bestSpeedup, (Format-Verdict ($bestSpeedup -ge $speedupTarget)))
    & $line ''
    & $line "Above the budget (ThrottleLimit 32 against $ServerCapacity) the server refuses the excess with HTTP 503; InboxPS backs off and retries those calls, so nothing fails, but the waiting workers make it slower than ThrottleLimit $ServerCapacity. Set -ThrottleLimit to what the server allows."
    & $line ''

    $itemSeconds = Get-Median ($Items | ForEach-Object Seconds)
    $itemRate = Get-Median ($Items | ForEach-Object { $_.Items / $_.Seconds })
    $serveRate = Get-Median ($Items | ForEach-Object { $_.Items / $_.ServerBusySeconds })
    & $line '## Item sync of one big mailbox'
    & $line ''
    & $line "One mailbox with $('{0:N0}' -f $BigFolderItems) items in Inbox, ``Start-InboxSync -Folder Inbox``: SyncFolderItems pages of 512 changes and GetItem batches of 128, one call at a time (one mailbox is never synced in parallel). The simulator's rate is the items divided by its own busy time for the same calls: the rate at which it serves them, one call at a time, latency included."
    & $line ''
    & $line '| items | time | items/s (InboxPS, stored in SQLite) | items/s the simulator serves | InboxPS / simulator | EWS calls |'
    & $line '|---:|---:|---:|---:|---:|---:|'
    & $line ('| {0:N0} | {1:0.0} s | {2:N0} | {3:N0} | {4:0.00} | {5} |' -f $BigFolderItems, $itemSeconds, $itemRate, $serveRate, ($itemRate / $serveRate), (Get-Median ($Items | ForEach-Object Requests)))
    & $line ''

    & $line '## Memory'
    & $line ''
    & $line 'Peak working set of the pwsh process that pipes the users in (its VmHWM, the kernel''s high-water mark of resident memory, as ``Process.PeakWorkingSet64`` reads it, taken by that process as its last act), for input of two sizes. The preflight runs connect app-only and check every user against the simulator (no latency here: memory is the subject).'
    & $line ''
    & $line '| cmdlet | users piped in | peak working set | ratio to the smaller input | target |'
    & $line '|---|---:|---:|---:|---|'
    foreach ($group in $Memory | Group-Object Mode) {
        $cases = @($group.Group | Sort-Object Users)
        $small = Get-Median ($cases[0].Runs | ForEach-Object PeakWorkingSet)
        foreach ($case in $cases) {
            $peak = Get-Median ($case.Runs | ForEach-Object PeakWorkingSet)
            $ratio = $peak / $small
            $target = if ($case -eq $cases[0]) { '' } else { "at most 1.5: $(Format-Verdict ($ratio -le 1.5))" }
            & $line ('| {0} | {1:N0} | {2:0} MB | {3:0.00} | {4} |' -f $case.Mode, $case.Users, ($peak / 1MB), $ratio, $target)
        }
    }
    & $line ''

    $bare = ($Startup | Where-Object Name -eq 'pwsh -c exit').Seconds
    & $line '## Start-up'
    & $line ''
    & $line "Wall time of a fresh ``pwsh -NoProfile -NonInteractive -Command ...`` from process start to exit, median of $($Startup[0].Rounds) alternating rounds after one unmeasured warm-up round."
    & $line ''
    & $line '| command | time | ratio to bare pwsh |'
    & $line '|---|---:|---:|'
    foreach ($entry in $Startup) { & $line ('| `{0}` | {1:0.00} s | {2:0.00} |' -f $entry.Name, $entry.Seconds, ($entry.Seconds / $bare)) }
    & $line ''

    & $line '## EWS response parser'
    & $line ''
    & $line 'From `dotnet run -c Release --project tests/InboxPS.Benchmarks -- parser client` (in-memory, no network; target: the reader at least half as fast as a bare XmlReader pass over the same bytes).'
    & $line ''
    & $line $ParserTable
    return $md.ToString()
}

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$loadBefore = Get-LoadAverage
$machine = Get-MachineDescription
$parser = Measure-Parser
$startup = @(Measure-Startup)
$activation = @(Measure-Activation)
$items = @(Measure-ItemSync)
$memory = @(Measure-Memory)
$report = New-Report -Machine $machine -Activation $activation -Items $items -Memory $memory -Startup $startup -ParserTable $parser `
    -LoadBefore $loadBefore -LoadAfter (Get-LoadAverage) -Duration $clock.Elapsed
Set-Content -LiteralPath $OutputPath -Value $report -NoNewline
Write-Host $report
Write-Host "Wrote $OutputPath" -ForegroundColor Green
