#Requires -Version 7.2
<#
.SYNOPSIS
    The soak and fault campaign: what happens to a bulk activation when Exchange pushes back, and when the syncing
    process dies. build.ps1 -Task Soak runs it with 2,000 mailboxes; tests/pester/Soak.Tests.ps1 with 150.

.DESCRIPTION
    Starts the simulator with every mailbox sized like a small real one and this fault mix:
      - a fraction (-FaultRate, 5 %) of all EWS requests fail transiently: HTTP 500, empty 503, connection resets,
        stalled bodies and bodies cut off mid-answer;
      - throttling storms every -StormSeconds, alternating between ErrorServerBusy (with BackOffMilliseconds) for a batch
        of the mailboxes still to come, and the server's capacity dropping to a quarter of -ThrottleLimit for a moment
        (HTTP 503 for the excess);
      - access tokens that live -TokenLifetimeSeconds (one minute);
      - mailboxes that fail for good, each for a reason injected on purpose (no mailbox, out of the impersonation
        scope, EWS disabled): some before the first run, some between the runs; and a mailbox move that completes
        between the runs;
      - one hard kill of the syncing pwsh once -KillAfter of the users are done, new mail in a tenth of the mailboxes,
        then a rerun of the same input (after the longest back-off the server asked for, as a rescheduled job would).
    Then it compares the result objects, the store (read from its SQLite file) and the simulator's ground truth and
    metrics, prints the figures below and exits 1 when a must-be-zero figure is not zero.

      users synced / users failed permanently (each with its injected reason)
      users lost                              results missing, or a result the store does not agree with     must be 0
      users failed unexpectedly               failed without an injected reason, or for another reason      must be 0
      items duplicated / missing / extra / stale against the ground truth (Inbox and Sent Items)            must be 0
      back-off violations                     requests sent while the server's back-off was running         must be 0
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [int] $Mailboxes = 2000,
    [int] $ThrottleLimit = 16,
    [double] $FaultRate = 0.05,
    [int] $TokenLifetimeSeconds = 60,
    [int] $StormSeconds = 5,
    [double] $KillAfter = 0.4,
    [int] $Seed = 11,
    # Where to write the figures as JSON (for the Pester test).
    [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# The runs happen in child processes: give them full paths.
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
$SimulatorPath = (Resolve-Path -LiteralPath $SimulatorPath).Path
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxSimulator.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tools/InboxRun.psm1') -Force
$BackOffMs = 1000
$FoldersChecked = 'inbox', 'sentitems'
# What each injected failure is, how it is injected, and the error id InboxPS must report for it.
$FailureKinds = @(
    @{ Reason = 'mailbox removed'; State = @{ hasMailbox = $false }; ErrorId = 'EwsMailboxNotFound' }
    @{ Reason = 'outside the impersonation scope'; State = @{ outsideDefaultScope = $true }; ErrorId = 'EwsImpersonationDenied' }
    @{ Reason = 'EWS disabled for the mailbox'; State = @{ ewsEnabled = $false }; ErrorId = 'EwsAccessDenied' }
)

function Write-Phase([string] $Text) { Write-Host "== $Text" -ForegroundColor Cyan }

$random = [System.Random]::new($Seed)
$simulatorArguments = @(
    '--users', $Mailboxes, '--seed', $Seed, '--broken', '--items-per-folder', 20,
    '--fault-rate', $FaultRate, '--faults', 'Http500,Http503,ConnectionReset,SlowBody,TruncatedBody', '--slow-body-ms', 400,
    '--latency-ms', 5, '--jitter-ms', 10, '--backoff-ms', $BackOffMs, '--token-lifetime', $TokenLifetimeSeconds,
    '--server-capacity', (4 * $ThrottleLimit)
)
$sim = Start-InboxSimulator -SimulatorPath $SimulatorPath -ArgumentList $simulatorArguments
$storeHome = New-RunHome
try {
    $users = @(Invoke-Control $sim 'users' | ForEach-Object primarySmtpAddress)
    $brokenUsers = @(Invoke-Control $sim 'users' | Where-Object broken)
    $numbered = @($users | Where-Object { $_ -notin $brokenUsers.primarySmtpAddress -and $_ -ne $sim.firstMailbox })

    # Failures for good: the simulator's own broken users, plus one mailbox in 200 per kind, half injected before the
    # first run and half between the runs. throttled@ only throttles and must sync; moving@'s move (a transient
    # condition, retried) completes between the runs, so it must sync in the rerun.
    $expected = @{}
    foreach ($broken in $brokenUsers) {
        switch ($broken.broken) {
            'OutOfScope' { $expected[$broken.primarySmtpAddress] = @{ Reason = 'outside the impersonation scope'; ErrorId = 'EwsImpersonationDenied' } }
            'NoLicense' { $expected[$broken.primarySmtpAddress] = @{ Reason = 'no licence, no mailbox'; ErrorId = 'EwsMailboxNotFound' } }
            'UnlicensedServiceAccount' { $expected[$broken.primarySmtpAddress] = @{ Reason = 'no licence, no mailbox'; ErrorId = 'EwsMailboxNotFound' } }
        }
    }
    $perKind = [Math]::Max(2, [int]($Mailboxes / 200))
    $victims = @($numbered | Sort-Object { $random.Next() } | Select-Object -First ($perKind * $FailureKinds.Count))
    $lateVictims = @{}
    for ($i = 0; $i -lt $victims.Count; $i++) {
        $kind = $FailureKinds[$i % $FailureKinds.Count]
        $expected[$victims[$i]] = @{ Reason = $kind.Reason; ErrorId = $kind.ErrorId }
        if ($i % 2 -eq 0) { $null = Invoke-Control $sim "mailboxes/$($victims[$i])/state" -Method Post -Body $kind.State }
        else { $lateVictims[$victims[$i]] = $kind.State }
    }

    $syncScript = @"
`$env:INBOXPS_SOAK_USERS -split ',' | Start-InboxSync -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue |
    ForEach-Object { "##done `$(`$_.Mailbox) `$(`$_.Status) `$(`$_.ErrorId)"; [Console]::Out.Flush() }
"@
    $runEnvironment = @{ INBOXPS_SOAK_USERS = ($users -join ',') }

    function Invoke-StormedRun {
        # Runs the sync in a fresh pwsh while storms blow; -KillAt kills it (the whole process tree, no clean-up) after
        # that many results. Returns the results seen, mailbox -> @(status, error id).
        param([int] $KillAt = 0)
        $process = Start-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script $syncScript -Environment $runEnvironment
        $done = [ordered]@{}
        $nextStorm = [DateTime]::UtcNow.AddSeconds($StormSeconds)
        $storms = 0
        $capacityRestoreAt = $null
        $pending = $process.StandardOutput.ReadLineAsync()
        $killed = $false
        $other = [System.Collections.Generic.List[string]]::new()
        while ($true) {
            # Storms blow on their own clock, whether or not results are arriving.
            $now = [DateTime]::UtcNow
            if ($capacityRestoreAt -and $now -ge $capacityRestoreAt) {
                $null = Invoke-Control $sim 'throttling' -Method Post -Body @{ serverCapacity = 4 * $ThrottleLimit }
                $capacityRestoreAt = $null
            }
            if ($now -ge $nextStorm) {
                $storms++
                if ($storms % 2 -eq 1) {
                    # ErrorServerBusy with a back-off for the next calls of a batch of mailboxes still to come.
                    $waiting = @($users | Where-Object { -not $done.Contains($_) })
                    foreach ($mailbox in $waiting | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(3, [int]($Mailboxes / 40)))) {
                        $null = Invoke-Control $sim "mailboxes/$mailbox/throttle" -Method Post -Body @{ busyCalls = 2 }
                    }
                }
                else {
                    $null = Invoke-Control $sim 'throttling' -Method Post -Body @{ serverCapacity = [Math]::Max(1, [int]($ThrottleLimit / 4)) }
                    $capacityRestoreAt = $now.AddSeconds(1.5)
                }
                $nextStorm = $now.AddSeconds($StormSeconds)
            }
            if (-not $pending.Wait(100)) { continue }

            $line = $pending.Result
            if ($null -eq $line) { break }
            if ($line -match '^##done (\S+) (\S+) ?(\S*)$') {
                $done[$Matches[1]] = @($Matches[2], $Matches[3])
                if ($KillAt -gt 0 -and $done.Count -ge $KillAt) {
                    $process.Kill($true)
                    $killed = $true
                    break
                }
            }
            elseif ($other.Count -lt 200) { $other.Add($line) }
            $pending = $process.StandardOutput.ReadLineAsync()
        }
        $process.WaitForExit()
        if ($capacityRestoreAt) { $null = Invoke-Control $sim 'throttling' -Method Post -Body @{ serverCapacity = 4 * $ThrottleLimit } }
        if (-not $killed -and $process.ExitCode -ne 0) {
            throw "The sync run failed with exit code $($process.ExitCode) after $($done.Count) results:`n$($other -join "`n")`n$($process.StandardErrorText.GetAwaiter().GetResult())"
        }
        $process.Dispose()
        return [pscustomobject]@{ Done = $done; Storms = $storms; Killed = $killed }
    }

    Write-Phase "Run 1: $($users.Count) users at ThrottleLimit $ThrottleLimit, $([int]($FaultRate * 100)) % faults, storms every $StormSeconds s, tokens for $TokenLifetimeSeconds s; hard kill after $([int]($KillAfter * 100)) %"
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $first = Invoke-StormedRun -KillAt ([int]($users.Count * $KillAfter))
    Write-Host ("killed after {0} results in {1:0.0} s ({2} storms)" -f $first.Done.Count, $clock.Elapsed.TotalSeconds, $first.Storms)

    # The job is rescheduled later, by which time every back-off the server asked for is over.
    Start-Sleep -Milliseconds ($BackOffMs + 500)
    foreach ($mailbox in $lateVictims.Keys) { $null = Invoke-Control $sim "mailboxes/$mailbox/state" -Method Post -Body $lateVictims[$mailbox] }
    foreach ($moving in $brokenUsers | Where-Object broken -eq 'Moving') {
        $null = Invoke-Control $sim "mailboxes/$($moving.primarySmtpAddress)/state" -Method Post -Body @{ moveInProgress = $false }
    }
    $changed = @($numbered | Where-Object { -not $expected.ContainsKey($_) } | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(5, [int]($Mailboxes / 10))))
    foreach ($mailbox in $changed) {
        $null = Invoke-Control $sim "mailboxes/$mailbox/changes" -Method Post -Body @{ folder = 'inbox'; creates = 2; updates = 1; deletes = 1; readFlagChanges = 2 }
        $null = Invoke-Control $sim "mailboxes/$mailbox/changes" -Method Post -Body @{ folder = 'sentitems'; creates = 1; deletes = 1 }
    }

    Write-Phase "Run 2: the same input again, after new mail in $($changed.Count) mailboxes and $($lateVictims.Count) more mailboxes broken"
    $clock.Restart()
    $second = Invoke-StormedRun
    $rerunSeconds = $clock.Elapsed.TotalSeconds
    Write-Host ("{0} results in {1:0.0} s ({2} storms)" -f $second.Done.Count, $rerunSeconds, $second.Storms)

    Write-Phase 'Checking results, store and ground truth'
    $metrics = Invoke-Control $sim 'metrics'
    $roster = @{}
    foreach ($row in Get-StoreRows -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Query "SELECT mailbox, status, last_error_id FROM roster") {
        $roster[$row.mailbox] = $row
    }
    $stored = @{}
    foreach ($row in Get-StoreRows -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Query "SELECT mailbox, item_id, folder_id, internet_message_id, is_read FROM items") {
        if (-not $stored.ContainsKey($row.mailbox)) { $stored[$row.mailbox] = [System.Collections.Generic.List[object]]::new() }
        $stored[$row.mailbox].Add($row)
    }

    $synced = 0
    $lost = [System.Collections.Generic.List[string]]::new()
    $unexpected = [System.Collections.Generic.List[string]]::new()
    $permanent = [System.Collections.Generic.List[object]]::new()
    $items = @{ Duplicated = 0; Missing = 0; Extra = 0; Stale = 0; Checked = 0 }
    foreach ($mailbox in $users) {
        $result = $second.Done[$mailbox]
        $entry = $roster[$mailbox]
        if (-not $result -or -not $entry -or $entry.status -ne $result[0]) {
            $lost.Add("$mailbox (result: $(if ($result) { $result[0] } else { 'none' }), store: $(if ($entry) { $entry.status } else { 'not on the roster' }))")
            continue
        }
        if ($result[0] -eq 'Failed') {
            $injected = $expected[$mailbox]
            if ($injected -and $injected.ErrorId -eq $result[1]) { $permanent.Add([pscustomobject]@{ Mailbox = $mailbox; ErrorId = $result[1]; InjectedReason = $injected.Reason }) }
            else { $unexpected.Add("$mailbox failed with $($result[1])$(if ($injected) { ", expected $($injected.ErrorId) ($($injected.Reason))" } else { ', nothing injected' })") }
            continue
        }
        if ($expected.ContainsKey($mailbox)) {
            $unexpected.Add("$mailbox synced although '$($expected[$mailbox].Reason)' was injected")
            continue
        }

        $synced++
        $truth = @{}
        foreach ($folder in $FoldersChecked) {
            foreach ($item in @(Invoke-Control $sim "mailboxes/$mailbox/items?folder=$folder")) { $truth[$item.itemId] = $item }
        }
        $rows = if ($stored.ContainsKey($mailbox)) { $stored[$mailbox] } else { @() }
        $items.Checked += $truth.Count
        # Duplicated: more stored copies of a message (by Internet message id) than the mailbox holds.
        $copiesLeft = @{}
        foreach ($item in $truth.Values) { $copiesLeft[$item.internetMessageId] = 1 + [int]$copiesLeft[$item.internetMessageId] }
        $seen = @{}
        foreach ($row in $rows) {
            $seen[$row.item_id] = $true
            $key = [string]$row.internet_message_id
            if ($copiesLeft.ContainsKey($key)) {
                $copiesLeft[$key]--
                if ($copiesLeft[$key] -lt 0) { $items.Duplicated++; continue }
            }
            $item = $truth[$row.item_id]
            if (-not $item) { $items.Extra++ }
            elseif ($item.folderId -ne $row.folder_id -or [bool]$item.isRead -ne [bool]$row.is_read) { $items.Stale++ }
        }
        foreach ($id in $truth.Keys) { if (-not $seen.ContainsKey($id)) { $items.Missing++ } }
    }

    $summary = [ordered]@{
        Mailboxes                 = $users.Count
        UsersSynced               = $synced
        UsersFailedPermanently    = $permanent.Count
        UsersLost                 = $lost.Count
        UsersFailedUnexpectedly   = $unexpected.Count
        ItemsChecked              = $items.Checked
        ItemsDuplicated           = $items.Duplicated
        ItemsMissing              = $items.Missing
        ItemsExtra                = $items.Extra
        ItemsStale                = $items.Stale
        BackOffViolations         = [int]$metrics.backOffViolations
        KilledAfterResults        = $first.Done.Count
        RerunSeconds              = [Math]::Round($rerunSeconds, 1)
        Storms                    = $first.Storms + $second.Storms
        EwsRequests               = [int]$metrics.ewsRequests
        FaultsInjected            = [int](($metrics.faultsInjected.PSObject.Properties.Value | Measure-Object -Sum).Sum)
        ThrottledResponses        = [int]$metrics.throttledResponses
        TokenRequests             = [int](($metrics.tokenRequestsByGrant.PSObject.Properties.Value | Measure-Object -Sum).Sum)
        Unauthorized              = [int]$metrics.unauthorized
    }
    $mustBeZero = 'UsersLost', 'UsersFailedUnexpectedly', 'ItemsDuplicated', 'ItemsMissing', 'ItemsExtra', 'ItemsStale', 'BackOffViolations'

    Write-Host ''
    Write-Host "users failed permanently, each with the reason injected for it:"
    $permanent | Sort-Object InjectedReason, Mailbox | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    foreach ($line in @($lost) + @($unexpected)) { Write-Host "  PROBLEM: $line" -ForegroundColor Red }
    Write-Host ("faults injected by kind: {0}" -f (($metrics.faultsInjected.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '))
    foreach ($name in $summary.Keys) {
        $flag = if ($name -in $mustBeZero) { if ($summary[$name] -eq 0) { '  (must be 0: ok)' } else { '  (must be 0: FAILED)' } } else { '' }
        Write-Host ('{0,-26} {1}{2}' -f $name, $summary[$name], $flag)
    }

    if ($SummaryPath) {
        $summary['Permanent'] = @($permanent)
        $summary['Problems'] = @($lost) + @($unexpected)
        $summary | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $SummaryPath
    }
    $failedChecks = @($mustBeZero | Where-Object { $summary[$_] -ne 0 })
    if ($failedChecks) {
        Write-Host "Soak FAILED: $($failedChecks -join ', ') not zero." -ForegroundColor Red
        exit 1
    }
    Write-Host 'Soak passed: nothing lost, duplicated or missing, and every back-off honoured.' -ForegroundColor Green
}
finally {
    $sim | Stop-InboxSimulator
    Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
}
