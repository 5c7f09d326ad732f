#Requires -Version 7.2
<#
.SYNOPSIS
    build.ps1 -Task Bench: measures InboxPS against the simulator process and writes docs/benchmarks.md. Not part of CI
    (about an hour on two cores; -Quick: every row at small sizes in a few minutes, to try the harness, not for numbers).

.DESCRIPTION
    The server is honest (issue 15): every call costs a base plus a cost per item and per kilobyte it carries, the front
    end takes a number of calls at once that the client is not told (16, or 16 -> 4 -> 16 during the storm row), and
    every mailbox has Exchange's budgets (27 concurrent calls, 5 sync calls, a time budget with on-premises defaults).
    Every efficiency is measured against the LIMIT computed from that model: the least time any client needs for the
    work (the calls the plan needs, the items it must carry, the bytes it did carry) under those budgets. The limit is a
    lower bound, so an efficiency above 1.0 is reported as "limit wrong", never as a target met.

    Every figure is the median of -Runs runs made in this invocation (settings interleaved, so a change of machine load
    falls on all of them alike). The sync runs happen the way an admin runs InboxPS: a fresh pwsh with the built
    module, connected app-only, piping users into a cmdlet; the simulator runs as its own process.
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
    # The back-off the throttled 10 % of mailboxes get (Exchange Online's longest is 300 s; -Quick uses 10 s).
    [int] $BackOffSeconds = 300,
    # Every row at small sizes, one run each: a few minutes, to try the harness, not for numbers.
    [switch] $Quick,
    # Only the bulk activation rows (and the storm, which is timed from them), printed, with no report written: a look
    # before and after a change, without the rest of the hour.
    [switch] $ActivationOnly,
    # Only the big-mailbox rows (one EWS mailbox, one Graph mailbox with four folders), printed, with no report written.
    [switch] $BigMailboxOnly,
    # Only the row of 10 % of mailboxes backing off (and its calm reference), printed, with no report written.
    [switch] $ThrottledOnly
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# The runs happen in child processes: give them full paths.
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
$SimulatorPath = (Resolve-Path -LiteralPath $SimulatorPath).Path
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxSimulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxRun.psm1') -Force

# The server model (tests/InboxPS.Simulator/README.md, Service time and Throttling). The per-mailbox budgets keep the
# simulator's defaults: 27 concurrent calls, 5 sync calls, EwsMaxBurst 300 s, EwsRechargeRate 900 s per hour; Graph:
# 4 concurrent requests and 10,000 per 10 minutes per app and mailbox.
$Model = [pscustomobject]@{ CallMs = 20.0; ItemMs = 0.2; KilobyteMs = 0.05; Capacity = 16; StormCapacity = 4
    BurstMs = 300000.0; RechargeMsPerSecond = 900000.0 / 3600; EwsPageSize = 512; GraphPageSize = 1000 }
$ItemsPerFolder = 24
# The most a mailbox may have in flight at once: EWS calls (EWSMaxConcurrency), EWS sync calls (ConcurrentSyncCalls),
# Graph requests per app; the front end's capacity bounds them all.
$MailboxConcurrency = [pscustomobject]@{ Ews = 27; EwsSync = 5; Graph = 4 }

function New-Plan([System.Collections.Specialized.OrderedDictionary] $Work, [string] $Needs) {
    # $Work: operation (EWS) or endpoint (Graph), as the simulator's metrics name it -> @(calls, items) per mailbox.
    $calls = 0; $items = 0
    foreach ($entry in $Work.Values) { $calls += $entry[0]; $items += $entry[1] }
    return [pscustomobject]@{ Work = $Work; Calls = $calls; Items = $items; Needs = $Needs }
}

# What activating one mailbox (Inbox and Sent Items) needs at the least, in calls and in the items the server carries
# (folders of a GetFolder, changes of a sync page, messages of a GetItem). EWS (the plan of issue 15): one GetFolder for
# both folders (it is also the preflight; both are found by name, so no SyncFolderHierarchy), one SyncFolderItems page
# per folder (24 and 12 items, below the 512 a page carries), and one GetItem for the new items of both, as
# SyncFolderItems cannot return recipients. Graph: the Inbox (preflight) and Sent Items by name, one messages/delta page
# per folder.
$NewItems = $ItemsPerFolder + $ItemsPerFolder / 2
$Plan = @{
    Ews   = New-Plan ([ordered]@{ GetFolder = 1, 2; SyncFolderItems = 2, $NewItems; GetItem = 1, $NewItems }) `
        'one GetFolder for Inbox and Sent Items, one SyncFolderItems page per folder, one GetItem for the new items of both'
    Graph = New-Plan ([ordered]@{ mailFolder = 2, 2; 'messages/delta' = 2, $NewItems }) 'the Inbox and Sent Items folders, one messages/delta page per folder'
}

if ($Quick) {
    $Runs = 1
    $BackOffSeconds = [Math]::Min($BackOffSeconds, 10)
    $ActivationSizes = 40, 120; $BaselineSize = 40; $StormSize = 120; $ThrottledSize = 120; $GraphSize = 40
    $BigFolderItems = 2000; $GraphBigItems = 800; $MemoryUsers = 300, 1000
}
else {
    $ActivationSizes = 1000, 10000; $BaselineSize = 1000; $StormSize = 1000; $ThrottledSize = 1000; $GraphSize = 1000
    $BigFolderItems = 100000; $GraphBigItems = 20000; $MemoryUsers = 1000, 100000
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Write-Step([string] $Text) { Write-Host "== $Text" -ForegroundColor Cyan }

function Get-Address([int] $Number, [int] $Mailboxes) { ('user{0:d' + [Math]::Max(4, "$Mailboxes".Length) + '}@contoso.test') -f $Number }

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

function Start-BenchSimulator([int] $Mailboxes, [int] $ItemsPerFolder, [switch] $NoServiceTime) {
    $arguments = @('--users', $Mailboxes, '--items-per-folder', $ItemsPerFolder, '--seed', 7, '--server-capacity', $Model.Capacity)
    if (-not $NoServiceTime) { $arguments += '--call-ms', $Model.CallMs, '--item-ms', $Model.ItemMs, '--kb-ms', $Model.KilobyteMs }
    return Start-InboxSimulator -SimulatorPath $SimulatorPath -ArgumentList $arguments
}

# The simulator stands for a server that has been running for a while, on a machine of its own: a fresh one spends its
# first seconds compiling, on the cores the client needs (1.22 ms of its CPU a call in a 1,000-mailbox run after 200
# mailboxes of warm-up, 0.74 ms after 1,000), which a limit computed from its model does not count. One activation of
# up to 1,000 of its mailboxes, not measured, warms it; every run resets its metrics.
function Initialize-BenchSimulator($Simulator, [int] $Mailboxes, [switch] $Graph) {
    $count = [Math]::Min(1000, $Mailboxes)
    Write-Step "warming the simulator up (an activation of $count mailboxes, not measured)"
    $null = Invoke-MeasuredSync -Simulator $Simulator -Graph:$Graph -Pipeline "$(Get-UserInput $count $Mailboxes) | Start-InboxSync -ErrorAction SilentlyContinue"
    Invoke-Control -Simulator $Simulator -Path 'throttling/clear-backoffs' -Method Post | Out-Null
}

# The least time the server needs for work of that many calls and items that carried that many bytes, one call after
# another (a mailbox's chain); divided by the capacity it is the least time for many mailboxes at once.
function Get-WorkMs([double] $Calls, [double] $Items, [double] $Bytes) {
    return $Calls * $Model.CallMs + $Items * $Model.ItemMs + $Bytes / 1024 * $Model.KilobyteMs
}

# One kind of work from the simulator's metrics (servedByOperation, servedByEndpoint, syncPagesByFolder: calls, items,
# bytes, service time), or $null when the run had none.
function Get-Served($ByKind, [string] $Kind) {
    if ($ByKind -and ($property = $ByKind.PSObject.Properties[$Kind])) { return $property.Value }
    return $null
}

# The least service time of work that needs $Calls calls carrying $Items items: the bytes are those the server carried
# for that kind of work ($Served), in proportion to the items needed out of those served, so items served twice (a page
# asked again) or calls the plan does not need are not charged; work the run did not do carries no bytes.
function Get-NeededWorkMs($Served, [double] $Calls, [double] $Items) {
    $bytes = if ($Served -and $Served.items -gt 0) { $Served.bytes * [Math]::Min(1, $Items / $Served.items) } else { 0 }
    return Get-WorkMs $Calls $Items $bytes
}

# The plan's work for that many mailboxes, every kind of call charged as Get-NeededWorkMs does.
function Get-PlanWorkMs($Served, $PlanEntry, [int] $Mailboxes) {
    $total = 0.0
    foreach ($kind in $PlanEntry.Work.Keys) {
        $calls, $items = $PlanEntry.Work[$kind]
        $total += Get-NeededWorkMs (Get-Served $Served $kind) ($calls * $Mailboxes) ($items * $Mailboxes)
    }
    return $total
}

function Get-MailboxLimitSeconds {
    <#
    .SYNOPSIS
        The least time one mailbox's work needs under its own budgets, the longest of: one folder's chain of sync pages
        (the next page needs the state of the last: they never overlap); all its sync pages over the sync calls it may
        have in flight; all its work over the calls it may have in flight (the front end's capacity if that is fewer);
        and, with -TimeBudget, the time budget: work beyond the burst is paid at the recharge rate, less what the calls
        in flight when the budget runs out may overdraw it (a full set of the costliest call: a call is admitted while the
        balance is positive and charged when it ends).
    #>
    param([double[]] $ChainsMs, [double] $OtherMs, [int] $Concurrent, [int] $SyncConcurrent, [double] $CostliestCallMs, [switch] $TimeBudget)
    $syncMs = ($ChainsMs | Measure-Object -Sum).Sum
    $allMs = $syncMs + $OtherMs
    $slots = [Math]::Min($Concurrent, $Model.Capacity)
    $boundsMs = @(($ChainsMs | Measure-Object -Maximum).Maximum, ($syncMs / [Math]::Min($SyncConcurrent, $slots)), ($allMs / $slots))
    if ($TimeBudget) { $boundsMs += ($allMs - $Model.BurstMs - $slots * $CostliestCallMs) / $Model.RechargeMsPerSecond * 1000 }
    return ($boundsMs | Measure-Object -Maximum).Maximum / 1000
}

# An efficiency is time against a lower bound: above 1.0 the client beat what no client can, so the limit is wrong, and
# that is what the table says instead of a target met.
function Format-Efficiency([double] $Efficiency) {
    if ($Efficiency -gt 1.0) { return '{0:0.00} (**limit wrong**)' -f $Efficiency }
    return '{0:0.00}' -f $Efficiency
}

function Format-Target([double] $Efficiency, [double] $Target) {
    if ($Efficiency -gt 1.0) { return '**limit wrong**' }
    return Format-Verdict ($Efficiency -ge $Target)
}

function Format-Measured([double] $Seconds, [double] $LimitSeconds) {
    $efficiency = $LimitSeconds / $Seconds
    return '{0:0.0} s (limit {1:0.0} s, efficiency {2:0.00}{3})' -f $Seconds, $LimitSeconds, $efficiency, $(if ($efficiency -gt 1.0) { ', LIMIT WRONG' } else { '' })
}

function Invoke-MeasuredSync {
    <#
    .SYNOPSIS
        One connected run in a fresh pwsh: the simulator's metrics are reset (and -Prepare run) just before the cmdlet
        starts and read right after it ends, so server figures and wall time cover the same span. Seconds is the sync
        itself: from the first EWS or Graph request the server saw (firstRequestAt, same machine, same clock) to the
        last result; StartupSeconds is the cmdlet's own start before it (store, token, first connection), WallSeconds both
        (pwsh start-up, import and Connect-InboxImpersonation come before the clock). None of it is what the limit bounds. -PerMailbox also returns when each
        mailbox's result came out (seconds after the first request); -Graph switches the organization to Graph first.
    #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Pipeline, [string] $Prepare = '', [switch] $PerMailbox, [switch] $Graph)
    $storeHome = New-RunHome
    try {
        $connect = if ($Graph) {
            @'
$null = Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly -GraphUrl $sim.graphUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
    -ClientSecret (ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force) -ServiceAccount $sim.firstMailbox -WarningAction SilentlyContinue
'@
        }
        $record = if ($PerMailbox) { '$finishes.Add(@($_.Mailbox, "$($_.Status)", [Math]::Round($clock.Elapsed.TotalSeconds, 3)))' } else { '' }
        $script = @"
$connect
`$items = [long]0
`$finishes = [System.Collections.Generic.List[object]]::new()
`$null = Invoke-RestMethod -Method Post -Uri (`$sim.controlUrl + 'metrics/reset')
$Prepare
`$client = [System.Diagnostics.Process]::GetCurrentProcess()
`$server = [System.Diagnostics.Process]::GetProcessById($($Simulator.Process.Id))
function Get-CpuSample {
    # CPU time of this pwsh and of the simulator (user + system), and of the whole machine from /proc/stat (busy and
    # all jiffies: user nice system idle iowait irq softirq steal).
    `$client.Refresh(); `$server.Refresh()
    `$machine = if (Test-Path /proc/stat) { @(((Get-Content /proc/stat -TotalCount 1) -split '\s+')[1..8] | ForEach-Object { [double]`$_ }) } else { @(0) * 8 }
    @{ Client = `$client.TotalProcessorTime.TotalMilliseconds; Server = `$server.TotalProcessorTime.TotalMilliseconds
        Busy = `$machine[0] + `$machine[1] + `$machine[2] + `$machine[5] + `$machine[6] + `$machine[7]; All = (`$machine | Measure-Object -Sum).Sum }
}
`$cpuBefore = Get-CpuSample
`$startedAt = [DateTime]::UtcNow
`$clock = [System.Diagnostics.Stopwatch]::StartNew()
`$statuses = @{}
$Pipeline | ForEach-Object { `$statuses["`$(`$_.Status)"] = 1 + [int]`$statuses["`$(`$_.Status)"]; `$items += `$_.ItemsAdded; $record }
`$clock.Stop()
`$endedAt = [DateTime]::UtcNow
`$cpuAfter = Get-CpuSample
`$m = Invoke-RestMethod -Uri (`$sim.controlUrl + 'metrics')
`$g = `$m.graph
`$firstAt = @(`$m.firstRequestAt, `$g.firstRequestAt) | Where-Object { `$_ } | ForEach-Object { ([DateTimeOffset]`$_).UtcDateTime } | Sort-Object | Select-Object -First 1
if (-not `$firstAt) { throw 'The server saw no EWS or Graph request during the run.' }
Write-RunResult @{ Seconds = (`$endedAt - `$firstAt).TotalSeconds; StartupSeconds = (`$firstAt - `$startedAt).TotalSeconds; WallSeconds = `$clock.Elapsed.TotalSeconds; Statuses = `$statuses; Items = `$items; Finishes = `$finishes.ToArray()
    Requests = `$m.ewsRequests; Refused503 = `$m.serverFull503; Violations = `$m.backOffViolations
    Served = `$m.servedByOperation; SyncPages = `$m.syncPagesByFolder; BusySeconds = [TimeSpan]::Parse(`$m.serverBusyTime).TotalSeconds
    PeakConcurrency = `$m.peakConcurrency; Throttled = `$m.throttledResponses
    GraphRequests = `$g.requests; GraphByEndpoint = `$g.requestsByEndpoint; GraphStatuses = `$g.responsesByStatus
    GraphBytesServed = `$g.bytesServed; GraphServed = `$g.servedByEndpoint; GraphSyncPages = `$g.syncPagesByFolder; GraphViolations = `$g.retryAfterViolations
    GraphBusySeconds = [TimeSpan]::Parse(`$g.busyTime).TotalSeconds; GraphPeakConcurrency = `$g.peakConcurrency
    ClientCpuMs = `$cpuAfter.Client - `$cpuBefore.Client; ServerCpuMs = `$cpuAfter.Server - `$cpuBefore.Server
    MachineBusy = if (`$cpuAfter.All -gt `$cpuBefore.All) { (`$cpuAfter.Busy - `$cpuBefore.Busy) / (`$cpuAfter.All - `$cpuBefore.All) } else { [double]::NaN } }
"@
        $run = Invoke-InboxRun -Simulator $Simulator -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script $script
        $result = $run.Results[0]
        foreach ($finish in $result.Finishes) { $finish[2] = [double]$finish[2] - $result.StartupSeconds }
        return $result
    }
    finally {
        Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    }
}

# CPU milliseconds per request the server saw (EWS and Graph), of the syncing pwsh and of the simulator, over the whole
# cmdlet (its start included); and the machine's CPU use over it (all cores, anything running). They say whether the
# machine could reach the limit at all: the limit assumes the server's slots are the only bound.
function Get-CpuPerCall($Result) {
    $calls = [Math]::Max(1, [double]$Result.Requests + [double]$Result.GraphRequests)
    return [pscustomobject]@{ Client = $Result.ClientCpuMs / $calls; Server = $Result.ServerCpuMs / $calls; Machine = $Result.MachineBusy }
}

function Format-Cpu($Result) {
    $cpu = Get-CpuPerCall $Result
    return 'CPU per call: client {0:0.00} ms, simulator {1:0.00} ms; machine CPU use {2:P0}' -f $cpu.Client, $cpu.Server, $cpu.Machine
}

function Get-ActivationLimitSeconds($Result, [int] $Mailboxes, $PlanEntry, [switch] $Graph) {
    # Capacity-bound: the plan's work for every mailbox over the front end's capacity. A mailbox's own bounds (its chain
    # of a sync page and a GetItem, its budgets) are a fraction of a second, far below this at any size the bench runs.
    $served = if ($Graph) { $Result.GraphServed } else { $Result.Served }
    return (Get-PlanWorkMs $served $PlanEntry $Mailboxes) / 1000 / $Model.Capacity
}

function Measure-Activation {
    # Bulk activation on EWS: every size with no -ThrottleLimit and with -ThrottleLimit 64, and ThrottleLimit 1 at the
    # smallest size for the speedup at equal size.
    $largest = ($ActivationSizes | Measure-Object -Maximum).Maximum
    $sim = Start-BenchSimulator -Mailboxes $largest -ItemsPerFolder $ItemsPerFolder
    try {
        Initialize-BenchSimulator $sim $largest
        # Limits are text ('auto': none given), so 'auto' and 64 compare alike.
        $cases = @(foreach ($size in $ActivationSizes) { foreach ($limit in 'auto', '64') { [pscustomobject]@{ Mailboxes = $size; Limit = $limit; Runs = @() } } })
        $cases += [pscustomobject]@{ Mailboxes = $BaselineSize; Limit = '1'; Runs = @() }
        for ($run = 1; $run -le $Runs; $run++) {
            foreach ($case in $cases) {
                Write-Step "EWS bulk activation: $($case.Mailboxes) mailboxes, ThrottleLimit $($case.Limit), run $run of $Runs"
                $limit = if ($case.Limit -eq 'auto') { '' } else { "-ThrottleLimit $($case.Limit)" }
                $result = Invoke-MeasuredSync -Simulator $sim -Pipeline "$(Get-UserInput $case.Mailboxes $largest) | Start-InboxSync $limit -ErrorAction SilentlyContinue"
                $synced = Get-Count $result.Statuses 'Synced'
                if ($synced -ne $case.Mailboxes) { Write-Warning "Only $synced of $($case.Mailboxes) mailboxes synced: $($result.Statuses | ConvertTo-Json -Compress)" }
                $result | Add-Member LimitSeconds (Get-ActivationLimitSeconds $result $case.Mailboxes $Plan.Ews)
                Write-Host ("  {0} ({1:0.0} s before the first request), {2:0.0} calls per mailbox, {3} refused with 503, server use {5:0.00}, server time {6:0.00}x its model; {4}" -f (Format-Measured $result.Seconds $result.LimitSeconds), $result.StartupSeconds, ($result.Requests / $case.Mailboxes), $result.Refused503, (Format-Cpu $result),
                    ($result.BusySeconds / $Model.Capacity / $result.Seconds), (Get-ServerOverModel $result.BusySeconds $result.Served))
                $case.Runs += $result
            }
            Invoke-Control -Simulator $sim -Path 'throttling/clear-backoffs' -Method Post | Out-Null
        }
        return $cases
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Get-StormLimitSeconds([double] $WorkSeconds, [double] $DropAt, [double] $RiseAt) {
    # The least T with the capacity-seconds up to T (16 before DropAt, 4 until RiseAt, 16 after) covering the work.
    $before = $Model.Capacity * $DropAt
    $during = $Model.StormCapacity * ($RiseAt - $DropAt)
    if ($WorkSeconds -le $before) { return $WorkSeconds / $Model.Capacity }
    if ($WorkSeconds -le $before + $during) { return $DropAt + ($WorkSeconds - $before) / $Model.StormCapacity }
    return $RiseAt + ($WorkSeconds - $before - $during) / $Model.Capacity
}

function Measure-Storm([double] $CalmSeconds, [double] $CalmStartupSeconds) {
    # Capacity 16, then 4 from a quarter to three quarters of the sync time the same run took without a storm
    # ($CalmSeconds, from Measure-Activation), then 16 again: mid-sync whatever the client's speed. The schedule starts
    # in the simulator right before the cmdlet does, so it is shifted by that run's start-up ($CalmStartupSeconds); the
    # limit takes each run's own start-up off the schedule, as its time counts from the first request.
    $sim = Start-BenchSimulator -Mailboxes $StormSize -ItemsPerFolder $ItemsPerFolder
    try {
        Initialize-BenchSimulator $sim $StormSize
        $dropAt = $CalmStartupSeconds + 0.25 * $CalmSeconds; $riseAt = $CalmStartupSeconds + 0.75 * $CalmSeconds
        $steps = @(@{ afterMs = [int]($dropAt * 1000); serverCapacity = $Model.StormCapacity }, @{ afterMs = [int]($riseAt * 1000); serverCapacity = $Model.Capacity })
        $prepare = "`$null = Invoke-RestMethod -Method Post -Uri (`$sim.controlUrl + 'throttling/capacity-schedule') -ContentType 'application/json' -Body '$(@{ steps = $steps } | ConvertTo-Json -Compress)'"
        $runs = for ($run = 1; $run -le $Runs; $run++) {
            Write-Step "EWS storm: $StormSize mailboxes, capacity $($Model.Capacity) -> $($Model.StormCapacity) at $('{0:0.0}' -f $dropAt) s -> $($Model.Capacity) at $('{0:0.0}' -f $riseAt) s, run $run of $Runs"
            $result = Invoke-MeasuredSync -Simulator $sim -Prepare $prepare -Pipeline "$(Get-UserInput $StormSize $StormSize) | Start-InboxSync -ErrorAction SilentlyContinue"
            $work = (Get-PlanWorkMs $result.Served $Plan.Ews $StormSize) / 1000
            $result | Add-Member LimitSeconds (Get-StormLimitSeconds $work ([Math]::Max(0, $dropAt - $result.StartupSeconds)) ([Math]::Max(0, $riseAt - $result.StartupSeconds)))
            Write-Host ("  {0}, {1} refused with 503, {2} synced, server time {4:0.00}x its model; {3}" -f (Format-Measured $result.Seconds $result.LimitSeconds), $result.Refused503, (Get-Count $result.Statuses 'Synced'), (Format-Cpu $result), (Get-ServerOverModel $result.BusySeconds $result.Served))
            Invoke-Control -Simulator $sim -Path 'throttling' -Method Post -Body @{ serverCapacity = $Model.Capacity } | Out-Null
            $result
        }
        return [pscustomobject]@{ Mailboxes = $StormSize; DropAt = $dropAt; RiseAt = $riseAt; Runs = @($runs) }
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Measure-ThrottledMailboxes {
    # Every tenth mailbox answers its first call ErrorServerBusy with a back-off of $BackOffSeconds; the others are not
    # throttled. Their rate is compared with a calm run of the same mailboxes, none throttled, on the same simulator and
    # recorded the same way (-PerMailbox), alternating with the throttled runs: the Bulk activation row runs on another
    # simulator without that per-result bookkeeping, minutes earlier, and either may move the ratio by a few per cent.
    $sim = Start-BenchSimulator -Mailboxes $ThrottledSize -ItemsPerFolder $ItemsPerFolder
    try {
        Initialize-BenchSimulator $sim $ThrottledSize
        $throttled = @(for ($i = 10; $i -le $ThrottledSize; $i += 10) { Get-Address $i $ThrottledSize })
        $pipeline = "$(Get-UserInput $ThrottledSize $ThrottledSize) | Start-InboxSync -ErrorAction SilentlyContinue"
        $calm = @(); $busy = @()
        for ($run = 1; $run -le $Runs; $run++) {
            # Which goes first changes every run: the first run after the warm-up was the slowest in two looks.
            $order = if ($run % 2) { 'calm', 'throttled' } else { 'throttled', 'calm' }
            foreach ($kind in $order) {
                if ($kind -eq 'calm') {
                    Write-Step "EWS with none of $ThrottledSize mailboxes backing off (the reference), run $run of $Runs"
                    $result = Invoke-MeasuredSync -Simulator $sim -PerMailbox -Pipeline $pipeline
                    $result | Add-Member Rate ($ThrottledSize / $result.Seconds)
                    Write-Host ("  all done at {0:0.0} s ({1:0.0}/s, {2} synced)" -f $result.Seconds, $result.Rate, (Get-Count $result.Statuses 'Synced'))
                    $calm += $result
                }
                else {
                    Write-Step "EWS with $($throttled.Count) of $ThrottledSize mailboxes backing off $BackOffSeconds s, run $run of $Runs"
                    foreach ($mailbox in $throttled) {
                        Invoke-Control -Simulator $sim -Path "mailboxes/$mailbox/throttle" -Method Post -Body @{ busyCalls = 1; backOffMs = $BackOffSeconds * 1000 } | Out-Null
                    }
                    $result = Invoke-MeasuredSync -Simulator $sim -PerMailbox -Pipeline $pipeline
                    $finishes = @($result.Finishes | ForEach-Object { [pscustomobject]@{ Mailbox = $_[0]; Status = $_[1]; At = [double]$_[2] } })
                    $others = @($finishes | Where-Object Mailbox -NotIn $throttled)
                    $slow = @($finishes | Where-Object Mailbox -In $throttled)
                    $result | Add-Member OthersSeconds (($others | Measure-Object At -Maximum).Maximum)
                    $result | Add-Member OthersSynced @($others | Where-Object Status -eq 'Synced').Count
                    $result | Add-Member OthersCount (@($finishes).Count - $slow.Count)
                    $result | Add-Member ThrottledSynced @($slow | Where-Object Status -eq 'Synced').Count
                    $result | Add-Member ThrottledAfterBackOff @($slow | Where-Object { $_.Status -eq 'Synced' -and $_.At -ge $BackOffSeconds }).Count
                    Write-Host ("  others done at {0:0.0} s ({1:0.0}/s, {2} synced), throttled: {3} of {4} synced after the back-off, {5} violations" -f $result.OthersSeconds, ($result.OthersCount / $result.OthersSeconds), $result.OthersSynced, $result.ThrottledAfterBackOff, $throttled.Count, $result.Violations)
                    $busy += $result
                }
                Invoke-Control -Simulator $sim -Path 'throttling/clear-backoffs' -Method Post | Out-Null
            }
        }
        return [pscustomobject]@{ Mailboxes = $ThrottledSize; Throttled = $throttled.Count; Runs = $busy; Calm = $calm }
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

# The server's own time for the calls it answered (busy: from each request's arrival until its answer is built) over
# what its model charged them: above 1.0 the simulator took longer than its model (building answers, a busy machine),
# which the limit, computed from the model, does not count.
function Get-ServerOverModel([double] $BusySeconds, $Served) {
    $modelSeconds = 0.0
    if ($Served) { foreach ($kind in $Served.PSObject.Properties) { $modelSeconds += [TimeSpan]::Parse($kind.Value.serviceTime).TotalSeconds } }
    if ($modelSeconds -le 0) { return [double]::NaN }
    return $BusySeconds / $modelSeconds
}

# The costliest kind of call of a run on average (its service time per call), for what calls in flight may overdraw a
# time budget (Get-MailboxLimitSeconds).
function Get-CostliestCallMs($Served) {
    $perCall = @(foreach ($kind in $Served.PSObject.Properties) { [TimeSpan]::Parse($kind.Value.serviceTime).TotalMilliseconds / [Math]::Max(1, $kind.Value.calls) })
    return ($perCall + 0 | Measure-Object -Maximum).Maximum
}

function Measure-BigMailbox {
    # One mailbox, $BigFolderItems items in Inbox, Start-InboxSync -Folder Inbox. Its limit is the mailbox's own
    # (Get-MailboxLimitSeconds): the Inbox's chain of SyncFolderItems pages (512 changes a page at most, each change paid
    # once, with the bytes the server carried for them), and that chain with one GetItem for every item (SyncFolderItems
    # cannot return recipients; the server takes any number of ids in one GetItem, so one call is the least) over the
    # 16 calls the front end takes at once (fewer than the mailbox's 27), and the time budget.
    $sim = Start-BenchSimulator -Mailboxes 1 -ItemsPerFolder $BigFolderItems
    try {
        $runs = for ($run = 1; $run -le $Runs; $run++) {
            Write-Step "EWS one mailbox, $BigFolderItems items in Inbox, run $run of $Runs"
            $result = Invoke-MeasuredSync -Simulator $sim -Pipeline "$(Get-UserInput 1 1) | Start-InboxSync -Folder Inbox"
            if ($result.Items -ne $BigFolderItems) { Write-Warning "The sync stored $($result.Items) items, not $BigFolderItems." }
            $pages = [Math]::Ceiling($BigFolderItems / $Model.EwsPageSize)
            $chainMs = Get-NeededWorkMs (Get-Served $result.SyncPages 'Inbox') $pages $BigFolderItems
            $getItemMs = Get-NeededWorkMs (Get-Served $result.Served 'GetItem') 1 $BigFolderItems
            $result | Add-Member LimitSeconds (Get-MailboxLimitSeconds -ChainsMs $chainMs -OtherMs $getItemMs -Concurrent $MailboxConcurrency.Ews `
                -SyncConcurrent $MailboxConcurrency.EwsSync -CostliestCallMs (Get-CostliestCallMs $result.Served) -TimeBudget)
            $result | Add-Member ChainSeconds ($chainMs / 1000)
            $result | Add-Member PlanCalls ($pages + 1)
            Write-Host ("  {0}, sync chain {1:0.0} s, all work {2:0.0} s, server time {6:0.00}x its model; {3} calls (the limit counts {4}): {5}" -f (Format-Measured $result.Seconds $result.LimitSeconds), ($chainMs / 1000), (($chainMs + $getItemMs) / 1000),
                $result.Requests, ($pages + 1), (($result.Served.PSObject.Properties | ForEach-Object { '{0} {1} calls {2} items {3:0.0} MB' -f $_.Name, $_.Value.calls, $_.Value.items, ($_.Value.bytes / 1MB) }) -join '; '),
                (Get-ServerOverModel $result.BusySeconds $result.Served))
            Invoke-Control -Simulator $sim -Path 'throttling/clear-backoffs' -Method Post | Out-Null
            $result
        }
        return @($runs)
    }
    finally {
        $sim | Stop-InboxSimulator
    }
}

function Measure-Graph([switch] $BigMailboxOnly) {
    # Graph: bulk activation (capacity-bound like EWS, the per-mailbox limits of 4 concurrent requests and 10,000 per
    # 10 minutes do not bind at four calls a mailbox), and one mailbox with four big folders, whose limit is its own
    # (Get-MailboxLimitSeconds): each folder's chain of delta pages (1,000 entries a page at most, with the bytes the
    # server carried for that folder) and all of them over the 4 requests a mailbox may have in flight. Nothing else is
    # needed (the delta path names a folder by its well-known name), and 10,000 requests per 10 minutes do not bind at a
    # few dozen pages.
    $activation = if (-not $BigMailboxOnly) { Start-BenchSimulator -Mailboxes $GraphSize -ItemsPerFolder $ItemsPerFolder }
    $big = Start-BenchSimulator -Mailboxes 1 -ItemsPerFolder $GraphBigItems
    try {
        # -Folder name -> the display name the metrics key its sync pages by, and its items.
        $folders = @(
            [pscustomobject]@{ Name = 'Inbox'; DisplayName = 'Inbox'; Items = $GraphBigItems }
            [pscustomobject]@{ Name = 'SentItems'; DisplayName = 'Sent Items'; Items = $GraphBigItems / 2 }
            [pscustomobject]@{ Name = 'Archive'; DisplayName = 'Archive'; Items = $GraphBigItems / 2 }
            [pscustomobject]@{ Name = 'DeletedItems'; DisplayName = 'Deleted Items'; Items = $GraphBigItems / 4 })
        $totalItems = [long]($folders | Measure-Object Items -Sum).Sum
        if ($activation) { Initialize-BenchSimulator $activation $GraphSize -Graph }
        $activationRuns = @(); $bigRuns = @()
        for ($run = 1; $run -le $Runs; $run++) {
            if ($activation) {
                Write-Step "Graph bulk activation: $GraphSize mailboxes, no ThrottleLimit, run $run of $Runs"
                $result = Invoke-MeasuredSync -Simulator $activation -Graph -Pipeline "$(Get-UserInput $GraphSize $GraphSize) | Start-InboxSync -ErrorAction SilentlyContinue"
                $result | Add-Member LimitSeconds (Get-ActivationLimitSeconds $result $GraphSize $Plan.Graph -Graph)
                Write-Host ("  {0}, {1:0.0} requests per mailbox, {2} synced" -f (Format-Measured $result.Seconds $result.LimitSeconds), ($result.GraphRequests / $GraphSize), (Get-Count $result.Statuses 'Synced'))
                $activationRuns += $result
            }

            Write-Step "Graph one mailbox, folders $($folders.Name -join ', ') ($totalItems items), run $run of $Runs"
            $result = Invoke-MeasuredSync -Simulator $big -Graph -Pipeline "$(Get-UserInput 1 1) | Start-InboxSync -Folder $($folders.Name -join ',') -ErrorAction SilentlyContinue"
            $chains = @($folders | ForEach-Object { Get-NeededWorkMs (Get-Served $result.GraphSyncPages $_.DisplayName) ([Math]::Ceiling($_.Items / $Model.GraphPageSize)) $_.Items })
            $result | Add-Member LimitSeconds (Get-MailboxLimitSeconds -ChainsMs $chains -OtherMs 0 -Concurrent $MailboxConcurrency.Graph -SyncConcurrent $MailboxConcurrency.Graph)
            $result | Add-Member TotalItems $totalItems
            Write-Host ("  {0}, folder chains {1} s, server time {5:0.00}x its model; {2} items, {3} requests, {4:0.0} MB" -f (Format-Measured $result.Seconds $result.LimitSeconds), (($chains | ForEach-Object { '{0:0.0}' -f ($_ / 1000) }) -join ', '), $result.Items, $result.GraphRequests, ($result.GraphBytesServed / 1MB),
                (Get-ServerOverModel $result.GraphBusySeconds $result.GraphServed))
            $bigRuns += $result
        }
        return [pscustomobject]@{ Activation = $activationRuns; Big = $bigRuns }
    }
    finally {
        if ($activation) { $activation | Stop-InboxSimulator }
        $big | Stop-InboxSimulator
    }
}

function Measure-Memory {
    # Peak working set (the kernel's high-water mark of resident memory, VmHWM, as Process.PeakWorkingSet64 reads it)
    # of the pwsh that pipes the users into a real sync, read by that process as its last act. No service time here:
    # memory is the subject.
    $largest = ($MemoryUsers | Measure-Object -Maximum).Maximum
    $sim = Start-BenchSimulator -Mailboxes $largest -ItemsPerFolder 2 -NoServiceTime
    try {
        $cases = @(foreach ($users in $MemoryUsers) { [pscustomobject]@{ Users = $users; Runs = @() } })
        for ($run = 1; $run -le $Runs; $run++) {
            foreach ($case in $cases) {
                Write-Step "memory: $($case.Users) users piped into Start-InboxSync, run $run of $Runs"
                $storeHome = New-RunHome
                try {
                    $script = @"
`$synced = 0
$(Get-UserInput $case.Users $largest) | Start-InboxSync -ErrorAction SilentlyContinue | ForEach-Object { if ("`$(`$_.Status)" -eq 'Synced') { `$synced++ } }
Write-RunResult @{ Synced = `$synced; PeakWorkingSet = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 }
"@
                    $result = (Invoke-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script $script).Results[0]
                }
                finally {
                    Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
                }
                if ($result.Synced -ne $case.Users) { Write-Warning "Start-InboxSync synced $($result.Synced) of $($case.Users) users." }
                Write-Host ("  peak working set {0:0} MB, {1} synced" -f ($result.PeakWorkingSet / 1MB), $result.Synced)
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
        @('--', 'parser', 'client', 'graphbatch', '--out', $table)
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
    $dirty = [bool](& git -C $PSScriptRoot status --porcelain 2>$null)
    return [pscustomobject]@{
        Cores = [Environment]::ProcessorCount; MemoryGb = $memoryGb; Cpu = $cpu
        Os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription; Dotnet = [Environment]::Version.ToString()
        Pwsh = $PSVersionTable.PSVersion.ToString(); Commit = $commit; Dirty = $dirty
    }
}

function Format-Verdict([bool] $Met) { if ($Met) { 'met' } else { '**missed**' } }

function Get-RunMedian($Runs, [scriptblock] $Figure) { Get-Median @($Runs | ForEach-Object $Figure) }

function New-Report {
    param($Machine, $Activation, $Storm, $Throttled, $Big, $Graph, $Memory, $Startup, [string] $ParserTable, [string] $LoadBefore, [string] $LoadAfter, [TimeSpan] $Duration)
    $md = [System.Text.StringBuilder]::new()
    $line = { param($text) $null = $md.AppendLine($text) }
    $tree = if ($Machine.Dirty) { '**dirty tree** (uncommitted or untracked changes: these numbers belong to no commit)' } else { 'clean tree' }

    & $line '# InboxPS benchmarks'
    & $line ''
    & $line "Generated by ``$CommandLine`` on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC in $([int]$Duration.TotalMinutes) minutes from commit **$($Machine.Commit)**, $tree. Do not edit: every number below comes from that run (medians of $Runs runs per figure, ratios computed from the runs)$(if ($Quick) { '. **-Quick**: small sizes, one run each, to try the harness; the targets are not judged at these sizes' })."
    & $line ''
    & $line "Machine: $($Machine.Cores) cores ($($Machine.Cpu)), $('{0:0.0}' -f $Machine.MemoryGb) GB memory, $($Machine.Os); .NET $($Machine.Dotnet), PowerShell $($Machine.Pwsh)."
    & $line "Load average (1, 5, 15 min) before: $LoadBefore; after: $LoadAfter. The simulator, the syncing pwsh and anything else running share these cores."
    & $line ''
    & $line '## The server and the limit'
    & $line ''
    & $line "The Exchange simulator (tests/InboxPS.Simulator) runs as its own process, warmed up by an activation of up to 1,000 of its mailboxes that is not measured (a server has been running; every client run is a fresh pwsh). Every EWS or Graph call it answers keeps the server busy for **$($Model.CallMs) ms + $($Model.ItemMs) ms per item + $($Model.KilobyteMs) ms per KB** it carries (``--call-ms``, ``--item-ms``, ``--kb-ms``; items: changes of a sync page, messages or folders of a GetItem/GetFolder, entries of a delta page). The front end takes **$($Model.Capacity) calls at once** (``--server-capacity``; more get HTTP 503) and does not say so. Every mailbox has Exchange's budgets: 27 concurrent EWS calls, 5 concurrent sync calls, a time budget of EwsMaxBurst $($Model.BurstMs / 1000) s recharging $($Model.RechargeMsPerSecond * 3.6) s per hour (on-premises defaults), and on Graph 4 concurrent requests and 10,000 per 10 minutes per app."
    & $line ''
    & $line "- **limit**: the least time any client needs for the work under that model, a lower bound. Many mailboxes: the calls and items the plan needs (EWS: $($Plan.Ews.Calls) calls and $($Plan.Ews.Items) items per activated mailbox: $($Plan.Ews.Needs); Graph: $($Plan.Graph.Calls) calls and $($Plan.Graph.Items) items: $($Plan.Graph.Needs)), with the bytes the server carried for each kind of call (in proportion to the items needed of those served, so nothing served twice or beyond the plan counts), spread over the $($Model.Capacity) slots. One mailbox: the longest of its folders' chains of sync pages (each page's service time, one after another: the next page needs the state of the last), all its sync pages over the sync calls it may have in flight, all its work over the calls it may have in flight (or the front end's $($Model.Capacity), if fewer), and the time budget when the work exceeds the burst (the ``servedByOperation``, ``servedByEndpoint`` and ``syncPagesByFolder`` figures of the simulator's metrics give every kind's calls, items and bytes)."
    & $line '- **efficiency** = limit / time, where **time** is the sync itself: from the first EWS or Graph request the server saw to the last result out of the cmdlet. What comes before it is no part of the work the limit bounds: pwsh start-up, module import and Connect-InboxImpersonation are not timed at all, and the cmdlet''s own start (opening the store, the token, the first connection) is the **before** column.'
    & $line '- **efficiency** above 1.00 means a client did what the limit says no client can: the limit is wrong, and the table says **limit wrong** instead of judging the target.'
    & $line '- **calls per mailbox**: EWS requests the server saw (503s and busy answers included) / mailboxes; the calls table beside it checks the answered calls of every operation against the plan.'
    & $line '- **server use**: the simulator''s own busy time (every call''s time in the server) / (capacity x time).'
    & $line "- **CPU per call**: CPU time (user + system) of the syncing pwsh and of the simulator over the whole cmdlet (its start included) / the EWS and Graph requests the server saw; **machine CPU use**: all $([Environment]::ProcessorCount) cores busy over the same span (/proc/stat), whatever ran. The limit assumes the server's slots are the only bound; when the machine is near 100 %, the client and the simulator are competing for cores and no client could reach the limit here."
    & $line ''

    $rows = foreach ($case in $Activation) {
        [pscustomobject]@{
            Mailboxes = $case.Mailboxes; Limit = $case.Limit
            Seconds = Get-RunMedian $case.Runs { $_.Seconds }
            Startup = Get-RunMedian $case.Runs { $_.StartupSeconds }
            PerMinute = Get-RunMedian $case.Runs { $case.Mailboxes / $_.Seconds * 60 }
            LimitSeconds = Get-RunMedian $case.Runs { $_.LimitSeconds }
            Efficiency = Get-RunMedian $case.Runs { $_.LimitSeconds / $_.Seconds }
            Calls = Get-RunMedian $case.Runs { $_.Requests / $case.Mailboxes }
            Refused = Get-RunMedian $case.Runs { $_.Refused503 }
            RefusedShare = Get-RunMedian $case.Runs { if ($_.Requests) { $_.Refused503 / $_.Requests } else { 0 } }
            Use = Get-RunMedian $case.Runs { $_.BusySeconds / $Model.Capacity / $_.Seconds }
            Peak = Get-RunMedian $case.Runs { $_.PeakConcurrency }
            ClientCpu = Get-RunMedian $case.Runs { (Get-CpuPerCall $_).Client }
            ServerCpu = Get-RunMedian $case.Runs { (Get-CpuPerCall $_).Server }
            MachineCpu = Get-RunMedian $case.Runs { $_.MachineBusy }
            Served = $case.Runs[0].Served
        }
    }
    & $line '## Bulk activation (EWS)'
    & $line ''
    & $line '| mailboxes | ThrottleLimit | time | before | mailboxes/min | limit | efficiency | speedup | calls per mailbox | HTTP 503 | server use | client CPU per call | simulator CPU per call | machine CPU use |'
    & $line '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
    foreach ($row in $rows) {
        $baseline = $rows | Where-Object { $_.Limit -eq '1' -and $_.Mailboxes -eq $row.Mailboxes } | Select-Object -First 1
        $speedup = if ($baseline) { '{0:0.0}' -f ($row.PerMinute / $baseline.PerMinute) } else { 'n/a' }
        $limit = if ($row.Limit -eq 'auto') { 'none given' } else { $row.Limit }
        & $line ('| {0:N0} | {1} | {2:0.0} s | {11:0.0} s | {3:N0} | {4:0.0} s | {5} | {6} | {7:0.0} | {8} ({9:0.0} %) | {10:0.00} | {12:0.00} ms | {13:0.00} ms | {14:0} % |' -f $row.Mailboxes, $limit, $row.Seconds, $row.PerMinute,
            $row.LimitSeconds, (Format-Efficiency $row.Efficiency), $speedup, $row.Calls, $row.Refused, (100 * $row.RefusedShare), $row.Use, $row.Startup, $row.ClientCpu, $row.ServerCpu, (100 * $row.MachineCpu))
    }
    & $line ''
    & $line "Speedup = mailboxes per minute / those of ThrottleLimit 1 at the same size ($('{0:N0}' -f $BaselineSize) mailboxes; ThrottleLimit 1 is not run at the larger sizes, where it would take too long)."
    $judged = @($rows | Where-Object Limit -ne '1')
    foreach ($row in $judged) {
        $label = if ($row.Limit -eq 'auto') { 'no -ThrottleLimit' } else { "-ThrottleLimit $($row.Limit)" }
        $refusedOk = if ($row.Limit -eq 'auto') { "; 503s at most 1 % of requests: **$('{0:0.0}' -f (100 * $row.RefusedShare)) %**, $(Format-Verdict ($row.RefusedShare -le 0.01))" } else { '' }
        & $line ("- {0:N0} mailboxes, {1}: efficiency at least 0.95: **{2:0.00}**, {3}{4}." -f $row.Mailboxes, $label, $row.Efficiency, (Format-Target $row.Efficiency 0.95), $refusedOk)
    }
    & $line ''

    & $line '## Calls per activated mailbox (EWS)'
    & $line ''
    & $line "Inbox and Sent Items, from the no-ThrottleLimit rows above (first run); the plan needs $($Plan.Ews.Calls) ($($Plan.Ews.Needs); target: at most 4). **Answered** counts the calls the server answered, by operation against the plan's (in brackets); **requests** adds the ones refused (503, busy), which a client retries and which cost the server no service time."
    & $line ''
    & $line '| mailboxes | answered calls per mailbox | by operation (plan) | requests per mailbox | target |'
    & $line '|---:|---:|---|---:|---|'
    foreach ($row in $rows | Where-Object Limit -eq 'auto') {
        $kinds = @($row.Served.PSObject.Properties.Name) + @($Plan.Ews.Work.Keys) | Sort-Object -Unique
        $ops = ($kinds | ForEach-Object { $served = Get-Served $row.Served $_; $calls = if ($served) { $served.calls } else { 0 }
            $planned = if ($Plan.Ews.Work.Contains($_)) { $Plan.Ews.Work[$_][0] } else { 0 }
            '{0} {1:0.00} ({2})' -f $_, ($calls / $row.Mailboxes), $planned }) -join ', '
        $answered = (@($row.Served.PSObject.Properties.Value.calls) + 0 | Measure-Object -Sum).Sum / $row.Mailboxes
        & $line ('| {0:N0} | {1:0.00} | {2} | {3:0.00} | at most {4} (the plan): {5} |' -f $row.Mailboxes, $answered, $ops, $row.Calls, $Plan.Ews.Calls, (Format-Verdict ($answered -le $Plan.Ews.Calls)))
    }
    & $line ''

    $stormSeconds = Get-RunMedian $Storm.Runs { $_.Seconds }
    $stormEfficiency = Get-RunMedian $Storm.Runs { $_.LimitSeconds / $_.Seconds }
    & $line '## Storm: capacity 16 -> 4 -> 16 during the run (EWS)'
    & $line ''
    & $line ("{0:N0} mailboxes, no -ThrottleLimit. The front end drops to {1} calls at once {2:0.0} s after the cmdlet starts and returns to {3} at {4:0.0} s (its start-up plus a quarter and three quarters of the sync time the same run took without a storm, Bulk activation). The limit is the least time from the first request whose capacity-seconds (16, then 4, then 16) cover the work; when the storm comes after that, it does not bind." -f $Storm.Mailboxes, $Model.StormCapacity, $Storm.DropAt, $Model.Capacity, $Storm.RiseAt)
    & $line ''
    & $line '| mailboxes | time | limit | efficiency | HTTP 503 | synced | client CPU per call | simulator CPU per call | machine CPU use | target |'
    & $line '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
    & $line ('| {0:N0} | {1:0.0} s | {2:0.0} s | {3} | {4} | {5} | {7:0.00} ms | {8:0.00} ms | {9:0} % | at least 0.90: {6} |' -f $Storm.Mailboxes, $stormSeconds, (Get-RunMedian $Storm.Runs { $_.LimitSeconds }), (Format-Efficiency $stormEfficiency),
        (Get-RunMedian $Storm.Runs { $_.Refused503 }), (Get-RunMedian $Storm.Runs { Get-Count $_.Statuses 'Synced' }), (Format-Target $stormEfficiency 0.9),
        (Get-RunMedian $Storm.Runs { (Get-CpuPerCall $_).Client }), (Get-RunMedian $Storm.Runs { (Get-CpuPerCall $_).Server }), (100 * (Get-RunMedian $Storm.Runs { $_.MachineBusy })))
    & $line ''

    $othersRate = Get-RunMedian $Throttled.Runs { $_.OthersCount / $_.OthersSeconds }
    $calmRate = Get-RunMedian $Throttled.Calm { $_.Rate }
    $violations = ($Throttled.Runs | Measure-Object Violations -Maximum).Maximum
    $after = ($Throttled.Runs | Measure-Object ThrottledAfterBackOff -Minimum).Minimum
    & $line "## 10 % of mailboxes backing off $BackOffSeconds s (EWS)"
    & $line ''
    & $line ("{0:N0} mailboxes, no -ThrottleLimit; every tenth ({1}) answers its first call ErrorServerBusy with BackOffMilliseconds {2:N0}. The other 90 % are compared with a run of the same mailboxes where none is throttled, on the same simulator and recorded the same way, alternating with the throttled runs (which goes first alternates too).{3}" -f $Throttled.Mailboxes, $Throttled.Throttled, ($BackOffSeconds * 1000),
        $(if ($BackOffSeconds -lt 300) { " The back-off is $BackOffSeconds s here, not Exchange Online's 300 s (``-BackOffSeconds``), so the row fits in a short run; the full Bench uses 300 s." } else { '' }))
    & $line ''
    & $line '| the other 90 % done after | their rate | rate with none throttled | ratio | throttled ones synced after their back-off | back-off violations | target |'
    & $line '|---:|---:|---:|---:|---:|---:|---|'
    $ratio = $othersRate / $calmRate
    & $line ('| {0:0.0} s | {1:0.0}/s | {2:0.0}/s | {3:0.00} | {4} of {5} | {6} | ratio at least 0.95: {7}; all after their back-off, zero violations: {8} |' -f (Get-RunMedian $Throttled.Runs { $_.OthersSeconds }), $othersRate, $calmRate, $ratio,
        $after, $Throttled.Throttled, $violations, (Format-Verdict ($ratio -ge 0.95)), (Format-Verdict ($after -eq $Throttled.Throttled -and $violations -eq 0)))
    & $line ''

    $bigSeconds = Get-RunMedian $Big { $_.Seconds }
    $bigEfficiency = Get-RunMedian $Big { $_.LimitSeconds / $_.Seconds }
    & $line '## One big mailbox (EWS)'
    & $line ''
    & $line ("One mailbox with {0:N0} items in Inbox, ``Start-InboxSync -Folder Inbox``. The limit is what the mailbox's budgets allow, the longest of: the Inbox's **sync chain**, its SyncFolderItems pages one after another ({1} changes a page at most, so {2:N0} pages: each pays the base, its changes and the bytes the server carried for them), as the next page needs the state of the last; all the mailbox's work (the chain, and one GetItem for every item, as SyncFolderItems cannot return recipients) over the {3} calls the front end takes at once (fewer than the mailbox's {4}; its {5} sync calls cannot shorten a single folder's chain); and, when that work exceeds the {6:0} s burst, the excess at the recharge rate ({7:0} ms a second), less what a front end full of calls may overdraw when the budget runs out. GetItem runs beside the chain (the next page is listed while the last one's items are fetched), so it is no part of the chain." -f $BigFolderItems, $Model.EwsPageSize, [Math]::Ceiling($BigFolderItems / $Model.EwsPageSize), $Model.Capacity, $MailboxConcurrency.Ews, $MailboxConcurrency.EwsSync, ($Model.BurstMs / 1000), $Model.RechargeMsPerSecond)
    & $line ''
    & $line '| items | time | items/s | limit | sync chain | items/s the limit allows | efficiency | EWS calls (the limit counts) | target |'
    & $line '|---:|---:|---:|---:|---:|---:|---:|---:|---|'
    $bigLimit = Get-RunMedian $Big { $_.LimitSeconds }
    & $line ('| {0:N0} | {1:0.0} s | {2:N0} | {3:0.0} s | {9:0.0} s | {4:N0} | {5} | {6} ({7}) | at least 0.95: {8} |' -f $BigFolderItems, $bigSeconds, ($BigFolderItems / $bigSeconds), $bigLimit, ($BigFolderItems / $bigLimit),
        (Format-Efficiency $bigEfficiency), (Get-RunMedian $Big { $_.Requests }), $Big[0].PlanCalls, (Format-Target $bigEfficiency 0.95), (Get-RunMedian $Big { $_.ChainSeconds }))
    & $line ''

    & $line '## Microsoft Graph'
    & $line ''
    & $line ("Bulk activation of {0:N0} mailboxes (Inbox and Sent Items, no -ThrottleLimit) against the same front end, and one mailbox with {1:N0} items in Inbox, half that in Sent Items and Archive and a quarter in Deleted Items, synced together: its limit is the longest folder's chain of delta pages ({2} entries a page at most, each paying the base, its entries and the bytes the server carried for that folder; the next page needs the last one's link) or all four chains over the {3} requests a mailbox may have in flight, whichever is longer (nothing else is needed: the delta path names a folder by its well-known name)." -f $GraphSize, $GraphBigItems, $Model.GraphPageSize, $MailboxConcurrency.Graph)
    & $line ''
    & $line '| work | time | limit | efficiency | requests | requests per mailbox (plan) | HTTP 429 | HTTP 503 | Retry-After violations |'
    & $line '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
    $status = { param($run, $code) $p = $run.GraphStatuses.PSObject.Properties[$code]; if ($p) { [long]$p.Value } else { 0 } }
    $graphRows = @(
        @{ Name = ('bulk activation, {0:N0} mailboxes' -f $GraphSize); Runs = $Graph.Activation; Mailboxes = $GraphSize; Plan = $Plan.Graph.Calls }
        @{ Name = ('one mailbox, {0:N0} items in 4 folders' -f $Graph.Big[0].TotalItems); Runs = $Graph.Big; Mailboxes = 1; Plan = 'n/a' }
    )
    foreach ($g in $graphRows) {
        & $line ('| {0} | {1:0.0} s | {2:0.0} s | {3} | {4} | {5:0.0} ({6}) | {7} | {8} | {9} |' -f $g.Name, (Get-RunMedian $g.Runs { $_.Seconds }), (Get-RunMedian $g.Runs { $_.LimitSeconds }),
            (Format-Efficiency (Get-RunMedian $g.Runs { $_.LimitSeconds / $_.Seconds })), (Get-RunMedian $g.Runs { $_.GraphRequests }), (Get-RunMedian $g.Runs { $_.GraphRequests / $g.Mailboxes }), $g.Plan,
            (Get-RunMedian $g.Runs { & $status $_ '429' }), (Get-RunMedian $g.Runs { & $status $_ '503' }), (($g.Runs | Measure-Object GraphViolations -Maximum).Maximum))
    }
    & $line ''

    & $line '## Memory'
    & $line ''
    & $line 'Peak working set of the pwsh process that pipes the users into a real `Start-InboxSync` (connected app-only, every mailbox activated; its VmHWM, the kernel''s high-water mark of resident memory, as `Process.PeakWorkingSet64` reads it, taken by that process as its last act). No service time here: memory is the subject.'
    & $line ''
    & $line '| users piped in | synced | peak working set | ratio to the smaller input | target |'
    & $line '|---:|---:|---:|---:|---|'
    $cases = @($Memory | Sort-Object Users)
    $small = Get-RunMedian $cases[0].Runs { $_.PeakWorkingSet }
    foreach ($case in $cases) {
        $peak = Get-RunMedian $case.Runs { $_.PeakWorkingSet }
        $ratio = $peak / $small
        $target = if ($case -eq $cases[0]) { '' } else { "at most 1.5: $(Format-Verdict ($ratio -le 1.5))" }
        & $line ('| {0:N0} | {1:N0} | {2:0} MB | {3:0.00} | {4} |' -f $case.Users, (Get-RunMedian $case.Runs { $_.Synced }), ($peak / 1MB), $ratio, $target)
    }
    & $line ''

    $bare = ($Startup | Where-Object Name -eq 'pwsh -c exit').Seconds
    & $line '## Start-up'
    & $line ''
    & $line "Wall time of a fresh ``pwsh -NoProfile -NonInteractive -Command ...`` from process start to exit, median of $($Startup[0].Rounds) alternating rounds after one unmeasured warm-up round."
    & $line ''
    & $line '| command | time | ratio to bare pwsh | target |'
    & $line '|---|---:|---:|---|'
    foreach ($entry in $Startup) {
        $ratio = $entry.Seconds / $bare
        $target = if ($entry.Name -eq 'pwsh -c exit') { '' } else { "at most 1.3: $(Format-Verdict ($ratio -le 1.3))" }
        & $line ('| `{0}` | {1:0.00} s | {2:0.00} | {3} |' -f $entry.Name, $entry.Seconds, $ratio, $target)
    }
    & $line ''

    & $line '## EWS response parser, Graph JSON batching'
    & $line ''
    & $line 'From `dotnet run -c Release --project tests/InboxPS.Benchmarks -- parser client graphbatch`. parser, client: in-memory, no network; target: the reader at least half as fast as a bare XmlReader pass over the same bytes. graphbatch: one mailbox''s Inbox and Sent Items read from scratch with MIME over HTTPS against an in-process simulator with the service time above, one `$value` per message against `$value` in JSON `$batch` requests of 20 (GraphClientOptions.UseJsonBatching); runs alternate.'
    & $line ''
    & $line $ParserTable
    return $md.ToString()
}

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$loadBefore = Get-LoadAverage
if ($ActivationOnly) {
    $activation = @(Measure-Activation)
    $calmRuns = @($activation | Where-Object { $_.Limit -eq 'auto' -and $_.Mailboxes -eq $StormSize } | ForEach-Object Runs)
    $null = Measure-Storm -CalmSeconds (Get-Median @($calmRuns | ForEach-Object Seconds)) -CalmStartupSeconds (Get-Median @($calmRuns | ForEach-Object StartupSeconds))
    Write-Host "Load average (1, 5, 15 min) before: $loadBefore; after: $(Get-LoadAverage). No report written (-ActivationOnly)."
    return
}
if ($BigMailboxOnly) {
    $null = Measure-BigMailbox
    $null = Measure-Graph -BigMailboxOnly
    Write-Host "Load average (1, 5, 15 min) before: $loadBefore; after: $(Get-LoadAverage). No report written (-BigMailboxOnly)."
    return
}
if ($ThrottledOnly) {
    $only = Measure-ThrottledMailboxes
    Write-Host ("Others' rate over the calm rate, medians: {0:0.00}." -f ((Get-RunMedian $only.Runs { $_.OthersCount / $_.OthersSeconds }) / (Get-RunMedian $only.Calm { $_.Rate })))
    Write-Host "Load average (1, 5, 15 min) before: $loadBefore; after: $(Get-LoadAverage). No report written (-ThrottledOnly)."
    return
}
$machine = Get-MachineDescription
$parser = Measure-Parser
$startup = @(Measure-Startup)
$activation = @(Measure-Activation)
$calmRuns = @($activation | Where-Object { $_.Limit -eq 'auto' -and $_.Mailboxes -eq $StormSize } | ForEach-Object Runs)
$storm = Measure-Storm -CalmSeconds (Get-Median @($calmRuns | ForEach-Object Seconds)) -CalmStartupSeconds (Get-Median @($calmRuns | ForEach-Object StartupSeconds))
$throttled = Measure-ThrottledMailboxes
$big = @(Measure-BigMailbox)
$graph = Measure-Graph
$memory = @(Measure-Memory)
$report = New-Report -Machine $machine -Activation $activation -Storm $storm -Throttled $throttled -Big $big -Graph $graph -Memory $memory -Startup $startup `
    -ParserTable $parser -LoadBefore $loadBefore -LoadAfter (Get-LoadAverage) -Duration $clock.Elapsed
Set-Content -LiteralPath $OutputPath -Value $report -NoNewline
Write-Host $report
Write-Host "Wrote $OutputPath" -ForegroundColor Green
