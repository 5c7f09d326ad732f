#Requires -Version 7.2
<#
.SYNOPSIS
    The multi-worker campaign (issue 16): several workers on one PostgreSQL store split one organization while Exchange
    pushes back, and one worker is hard-killed twice and restarted. build.ps1 -Task Soak runs it with 2,000 mailboxes;
    tests/pester/SharedStore.Tests.ps1 runs a short form in the Test task.

.DESCRIPTION
    Starts the simulator (5 % transient faults: HTTP 500, empty 503, connection resets, stalled and cut bodies; tokens
    that live -TokenLifetimeSeconds; Exchange-like latency) and -Workers pwsh processes, each signing in by itself and
    piping the same list of every mailbox into Start-InboxSync against one PostgreSQL database. Worker 1 is killed (the
    whole process tree, no clean-up) after a share of its results, started again, killed again, started again. Claims
    last -LeaseSeconds, so a killed worker's mailboxes go to the others soon after.

    Then it compares the store (read through Get-InboxSyncStatus in a fresh pwsh), the simulator's ground truth and its
    metrics, prints the figures and exits 1 when a must-be-zero figure is not zero:

      users lost                 a mailbox not Synced in the store, or without any worker's outcome              must be 0
      items duplicated / missing a mailbox holding more / fewer items than the simulator (Inbox and Sent Items)   must be 0
      back-off violations        requests sent while the server's back-off for that mailbox was running          must be 0
      mailboxes worked on twice at once  peak concurrency above 1 on a mailbox (each worker sends one request
                                 at a time per mailbox, so 2 means two workers had it at once)                    must be 0

      pages applied again        items a result reports as updated: nothing changes on the server during the
                                 campaign, so an update is a stored page applied a second time                   must be 0
      mailboxes synced twice     a mailbox with Synced results from two runs: the workers (the restarted w1
                                 included) are one round, so each mailbox is synced once                       must be 0

    Not measured here: the throttling storms of the single-worker campaign (tests/soak/Invoke-InboxSoak.ps1).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [int] $Mailboxes = 2000,
    [int] $Workers = 3,
    [int] $ThrottleLimit = 8,
    [double] $FaultRate = 0.05,
    [int] $TokenLifetimeSeconds = 60,
    [int] $LeaseSeconds = 5,
    [int] $Seed = 13,
    # How often worker w1 is hard-killed and restarted (0 for the benchmark).
    [int] $Kills = 2,
    [int] $LatencyMs = 5,
    # The store: PostgreSQL (the campaign), or SQLite (one file every worker on this machine shares; the benchmark's baseline).
    [ValidateSet('Postgres', 'Sqlite')] [string] $Store = 'Postgres',
    [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
$SimulatorPath = (Resolve-Path -LiteralPath $SimulatorPath).Path
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxSimulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxRun.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxPostgres.psm1') -Force

function Write-Phase([string] $Text) { Write-Host "== $Text" -ForegroundColor Cyan }

# The store: the test server build.ps1 started, or one of our own for this campaign.
$ownServer = if ($Store -eq 'Postgres' -and -not $env:INBOXPS_TEST_POSTGRES) { Start-InboxPostgres } else { $null }
if ($Store -eq 'Postgres' -and -not $env:INBOXPS_TEST_POSTGRES) { throw 'PostgreSQL is needed for the multi-worker campaign (Debian/Ubuntu: apt-get install postgresql).' }
$sim = $null
try {
  if ($Store -eq 'Sqlite') {
    $storeEnvironment = @{ INBOXPS_STORE = Join-Path (New-RunHome) 'inboxps.db'; INBOXPS_LEASE_SECONDS = "$LeaseSeconds" }
  }
  else {
    $server = @{}
    foreach ($pair in $env:INBOXPS_TEST_POSTGRES -split ';') { $key, $value = $pair -split '=', 2; $server[$key.Trim()] = $value }
    $database = 'inboxps_soak_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $env:PGPASSWORD = $server.Password
    try { & (Join-Path (Find-PostgresBin) 'psql') -h $server.Host -p $server.Port -U $server.Username -d postgres -q -c "CREATE DATABASE $database" | Out-Null }
    finally { Remove-Item env:PGPASSWORD }
    $storeEnvironment = @{
        INBOXPS_STORE          = "postgres://$($server.Username)@$($server.Host):$($server.Port)/$database"
        INBOXPS_STORE_PASSWORD = $server.Password
        INBOXPS_LEASE_SECONDS  = "$LeaseSeconds"
    }
  }

    $sim = Start-InboxSimulator -SimulatorPath $SimulatorPath -ArgumentList @(
        '--users', $Mailboxes, '--seed', $Seed, '--items-per-folder', 20,
        '--fault-rate', $FaultRate, '--faults', 'Http500,Http503,ConnectionReset,SlowBody,TruncatedBody', '--slow-body-ms', 400,
        '--latency-ms', $LatencyMs, '--jitter-ms', 10, '--backoff-ms', 1000, '--token-lifetime', $TokenLifetimeSeconds,
        '--server-capacity', (4 * $ThrottleLimit * $Workers))
    # The service account's own mailbox is checked by every worker's sign-in: it is not a target.
    $targets = @(Invoke-Control $sim 'users' | Where-Object { -not $_.broken -and $_.hasMailbox -and $_.primarySmtpAddress -ne $sim.firstMailbox } |
        ForEach-Object primarySmtpAddress)

    # "##ready": the module is imported and the worker signed in; the sync phase runs from the first worker ready to the
    # last result, so the figures compare syncing, not pwsh start-up on a loaded machine.
    $syncScript = @"
"##ready"; [Console]::Out.Flush()
`$env:INBOXPS_SOAK_USERS -split ',' | Start-InboxSync -Organization contoso -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue |
    ForEach-Object { "##done `$(`$_.Mailbox) `$(`$_.Status) `$(`$_.ItemsAdded) `$(`$_.ItemsUpdated) `$(`$_.ErrorId)"; [Console]::Out.Flush() }
"@
    function Start-Worker([string] $Name) {
        $environment = $storeEnvironment.Clone()
        $environment.INBOXPS_WORKER = $Name
        $environment.INBOXPS_SOAK_USERS = $targets -join ','
        $process = Start-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome (New-RunHome) -Script $syncScript -Environment $environment
        [pscustomobject]@{ Name = $Name; Process = $process; Pending = $process.StandardOutput.ReadLineAsync(); Done = 0; Killed = $false; Other = [System.Collections.Generic.List[string]]::new() }
    }

    $share = [Math]::Max(3, [int]($targets.Count / $Workers))
    $killPlan = [System.Collections.Generic.Queue[int]]::new()
    for ($i = 0; $i -lt $Kills; $i++) { $killPlan.Enqueue([int]($share * 0.25)) }
    Write-Phase "$Workers workers, $($targets.Count) mailboxes, ThrottleLimit $ThrottleLimit each, $([int]($FaultRate * 100)) % faults, tokens for $TokenLifetimeSeconds s, claims for $LeaseSeconds s; worker w1 killed $Kills times; $Store store"
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $running = [System.Collections.Generic.List[object]]::new()
    foreach ($n in 1..$Workers) { $running.Add((Start-Worker "w$n")) }
    $finished = [System.Collections.Generic.List[object]]::new()
    $outcomes = @{}
    $firstReady = $null
    $lastResult = 0
    $added = 0
    $updated = 0
    $kills = 0
    while ($running.Count) {
        $progress = $false
        foreach ($worker in @($running)) {
            if (-not $worker.Pending.IsCompleted) { continue }
            $progress = $true
            $line = $worker.Pending.Result
            if ($null -eq $line) {
                $worker.Process.WaitForExit()
                $running.Remove($worker) | Out-Null
                $finished.Add($worker)
                continue
            }
            if ($line -match '^##done (\S+) (\S+) (\d+) (\d+) ?(\S*)$') {
                $worker.Done++
                $lastResult = $clock.Elapsed.TotalSeconds
                if (-not $outcomes.ContainsKey($Matches[1])) { $outcomes[$Matches[1]] = [System.Collections.Generic.List[string]]::new() }
                $outcomes[$Matches[1]].Add("$($worker.Name):$($Matches[2])")
                $added += [int]$Matches[3]
                $updated += [int]$Matches[4]
                if ($worker.Name -eq 'w1' -and $killPlan.Count -and $worker.Done -ge $killPlan.Peek()) {
                    $null = $killPlan.Dequeue()
                    $worker.Process.Kill($true)
                    $worker.Process.WaitForExit()
                    $worker.Killed = $true
                    $kills++
                    Write-Host ("killed w1 after {0} results at {1:0.0} s; starting it again" -f $worker.Done, $clock.Elapsed.TotalSeconds)
                    $running.Remove($worker) | Out-Null
                    $finished.Add($worker)
                    $running.Add((Start-Worker 'w1'))
                    continue
                }
            }
            elseif ($line -eq '##ready') { if ($null -eq $firstReady) { $firstReady = $clock.Elapsed.TotalSeconds } }
            elseif ($worker.Other.Count -lt 100) { $worker.Other.Add($line) }
            $worker.Pending = $worker.Process.StandardOutput.ReadLineAsync()
        }
        if (-not $progress) { Start-Sleep -Milliseconds 50 }
    }
    $seconds = $clock.Elapsed.TotalSeconds
    foreach ($worker in $finished | Where-Object { -not $_.Killed -and $_.Process.ExitCode -ne 0 }) {
        throw "Worker $($worker.Name) failed with exit code $($worker.Process.ExitCode):`n$($worker.Other -join "`n")`n$($worker.Process.StandardErrorText.GetAwaiter().GetResult())"
    }
    $syncSeconds = if ($null -ne $firstReady) { [Math]::Max(0.1, $lastResult - $firstReady) } else { $seconds }
    Write-Host ("all workers done in {0:0.0} s; the sync phase (first worker signed in to the last result) {1:0.0} s" -f $seconds, $syncSeconds)

    Write-Phase 'Checking the store against the ground truth'
    $reader = Start-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome (New-RunHome) -NoConnect -Environment $storeEnvironment -Script @'
Get-InboxSyncStatus -Organization contoso -IncludeInactive | ForEach-Object { "##row $($_.Mailbox) $($_.Status) $($_.Items) $($_.Worker)" }
Get-InboxSyncRun -Organization contoso -Last 1000 | ForEach-Object { "##run $($_.Worker) $([bool]$_.Ended) $($_.Users) $($_.Synced) $($_.Skipped) $($_.Items)" }
'@
    $readerOutput = $reader.StandardOutput.ReadToEnd()
    $reader.WaitForExit()
    if ($reader.ExitCode -ne 0) { throw "Reading the store failed: $readerOutput $($reader.StandardErrorText.GetAwaiter().GetResult())" }
    $roster = @{}
    $runs = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $readerOutput -split "`r?`n") {
        if ($line -match '^##row (\S+) (\S+) (\d+) ?(\S*)$') { $roster[$Matches[1]] = [pscustomobject]@{ Status = $Matches[2]; Items = [int]$Matches[3]; Worker = $Matches[4] } }
        elseif ($line -like '##run *') { $runs.Add($line.Substring(6)) }
    }

    $metrics = Invoke-Control $sim 'metrics'
    $lost = [System.Collections.Generic.List[string]]::new()
    $items = @{ Duplicated = 0; Missing = 0; Checked = 0 }
    $twiceAtOnce = 0
    $syncedTwice = 0
    $byWorker = @{}
    foreach ($mailbox in $targets) {
        $row = $roster[$mailbox]
        if (-not $row -or $row.Status -ne 'Synced' -or -not $outcomes.ContainsKey($mailbox)) { $lost.Add("$mailbox $(if ($row) { $row.Status } else { 'absent' })"); continue }
        $truth = 0
        foreach ($folder in 'inbox', 'sentitems') { $truth += @(Invoke-Control $sim "mailboxes/$mailbox/items?folder=$folder").Count }
        $items.Checked += $truth
        if ($row.Items -gt $truth) { $items.Duplicated += $row.Items - $truth }
        if ($row.Items -lt $truth) { $items.Missing += $truth - $row.Items }
        $byWorker[$row.Worker] = 1 + ($byWorker[$row.Worker] ?? 0)
        $peak = $metrics.peakConcurrencyByMailbox.$mailbox
        if ($peak -gt 1) { $twiceAtOnce++ }
        if (@($outcomes[$mailbox] | Where-Object { $_ -like '*:Synced' }).Count -gt 1) { $syncedTwice++ }
    }

    $summary = [ordered]@{
        Store = $Store; Mailboxes = $targets.Count; Workers = $Workers; Kills = $kills; Seconds = [Math]::Round($seconds, 1)
        SyncSeconds = [Math]::Round($syncSeconds, 1)
        UsersSynced = $targets.Count - $lost.Count; UsersLost = $lost.Count
        ItemsChecked = $items.Checked; ItemsDuplicated = $items.Duplicated; ItemsMissing = $items.Missing
        BackOffViolations = [int]$metrics.backOffViolations; MailboxesWorkedOnTwiceAtOnce = $twiceAtOnce
        ItemsAddedReported = $added; ItemsAppliedAgain = $updated; MailboxesSyncedTwiceInTheRound = $syncedTwice
        FaultsInjected = [int]((@($metrics.faultsInjected.PSObject.Properties | ForEach-Object Value) | Measure-Object -Sum).Sum)
        SyncedByWorker = $byWorker; Runs = @($runs); Lost = @($lost | Select-Object -First 20)
    }
    Write-Host ''
    Write-Host ("users synced {0} / lost {1} of {2}; workers {3}, kills {4}, {5} s" -f $summary.UsersSynced, $summary.UsersLost, $summary.Mailboxes, $Workers, $kills, $summary.Seconds)
    Write-Host ("items checked {0}: duplicated {1}, missing {2}" -f $items.Checked, $items.Duplicated, $items.Missing)
    Write-Host ("back-off violations {0}; mailboxes worked on by two workers at once {1}; faults injected {2}" -f $summary.BackOffViolations, $twiceAtOnce, $summary.FaultsInjected)
    Write-Host ("pages applied again: {0} items updated (must be 0); mailboxes synced by two workers in the round {1}; items added as reported {2} (the killed runs' own adds are not reported)" -f $updated, $syncedTwice, $added)
    Write-Host ("last synced by: {0}" -f (($byWorker.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '))
    Write-Host "runs (worker ended users synced skipped items):"
    $runs | ForEach-Object { Write-Host "  $_" }
    if ($SummaryPath) { $summary | ConvertTo-Json -Depth 4 | Set-Content -Path $SummaryPath }
    $bad = $summary.UsersLost + $summary.ItemsDuplicated + $summary.ItemsMissing + $summary.BackOffViolations + $twiceAtOnce + $updated + $syncedTwice
    if ($bad -ne 0 -or $kills -ne $Kills) { Write-Host 'FAILED: a must-be-zero figure is not zero (or the kills did not happen).' -ForegroundColor Red; exit 1 }
    Write-Host 'PASSED' -ForegroundColor Green
    exit 0
}
finally {
    if ($sim) { $sim | Stop-InboxSimulator }
    if ($ownServer) { $ownServer | Stop-InboxPostgres }
}
