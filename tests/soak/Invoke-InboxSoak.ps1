#Requires -Version 7.2
<#
.SYNOPSIS
    The soak and fault campaign: what happens to a bulk activation when Exchange pushes back, and when the syncing
    process dies, over EWS and over Graph (one simulator and one store per protocol). build.ps1 -Task Soak runs it with
    1,000 mailboxes per protocol and writes docs/soak.md; tests/pester/Soak.Tests.ps1 runs it with 150.

.DESCRIPTION
    Starts the simulator with every mailbox sized like a small real one and this fault mix:
      - a fraction (-FaultRate, 5 %) of all EWS requests fail transiently: HTTP 500, empty 503, connection resets,
        stalled bodies, bodies cut off mid-answer, ErrorMailboxStoreUnavailable and ErrorTimeoutExpired; over Graph,
        that fraction of requests answers 503 with Retry-After;
      - throttling storms every -StormSeconds, alternating between ErrorServerBusy (with BackOffMilliseconds) for a batch
        of the mailboxes still to come, and the server's capacity dropping to a quarter of -ThrottleLimit for a moment
        (HTTP 503 for the excess); over Graph, 429 with Retry-After and 503s for a batch of mailboxes;
      - at every storm, the sync states (EWS) or delta tokens (Graph: 410 syncStateNotFound) of a few mailboxes become
        invalid; at the first storm, the 'Projects' folder of the mailboxes synced with -AllMailFolders is deleted;
      - access tokens that live -TokenLifetimeSeconds (one minute);
      - mailboxes that fail for good, each for a reason injected on purpose (no mailbox, out of the impersonation
        scope, EWS disabled): some before the first run, some between the runs; and a mailbox move that completes
        between the runs;
      - one hard kill of the syncing pwsh once -KillAfter of the users are done, new mail, updated subjects, read flags,
        deletions and an item moved from Inbox to Sent Items in a tenth of the mailboxes, then a rerun of the same input (after the longest back-off the server asked for, as a rescheduled job would).
    Then it compares the result objects, the store (read from its SQLite file) and the simulator's ground truth and
    metrics, prints the figures below and exits 1 when a must-be-zero figure is not zero.

      users synced / users failed permanently (each with its injected reason)
      users lost                              results missing, or a result the store does not agree with     must be 0
      users failed unexpectedly               failed without an injected reason, or for another reason      must be 0
      items duplicated / missing / extra / stale against the ground truth (Inbox and Sent Items, every mail
        folder for the -AllMailFolders mailboxes): stale = another folder, read flag, subject or change key  must be 0
      back-off violations                     requests sent while the server's back-off (EWS) or Retry-After
                                              (Graph) was running                                            must be 0
    With -ReportPath it writes those figures per protocol as markdown (docs/soak.md), with the commit it ran from.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [int] $Mailboxes = 1000,
    [int] $ThrottleLimit = 16,
    [double] $FaultRate = 0.05,
    [int] $TokenLifetimeSeconds = 60,
    [int] $StormSeconds = 5,
    [double] $KillAfter = 0.4,
    [int] $Seed = 11,
    [ValidateSet('Ews', 'Graph')] [string[]] $Protocol = @('Ews', 'Graph'),
    # Where to write the figures as JSON, one object per protocol (for the Pester test).
    [string] $SummaryPath,
    # Where to write the figures as markdown (build.ps1 -Task Soak: docs/soak.md), and the command line to name there.
    [string] $ReportPath,
    [string] $CommandLine = 'dotnet pwsh ./build.ps1 -Task Soak'
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
# The folder deleted mid-run in the mailboxes synced with -AllMailFolders (a subfolder of every simulated Inbox).
$DeletedFolder = 'Projects'
# What each injected failure is, how it is injected, and the error id InboxPS must report for it, per protocol. Over
# Graph, EWS being disabled or the EWS impersonation scope do not matter: those mailboxes must sync.
$FailureKinds = @{
    Ews   = @(
        @{ Reason = 'mailbox removed'; State = @{ hasMailbox = $false }; ErrorId = 'EwsMailboxNotFound' }
        @{ Reason = 'outside the impersonation scope'; State = @{ outsideDefaultScope = $true }; ErrorId = 'EwsImpersonationDenied' }
        @{ Reason = 'EWS disabled for the mailbox'; State = @{ ewsEnabled = $false }; ErrorId = 'EwsAccessDenied' }
    )
    Graph = @(
        @{ Reason = 'mailbox removed'; State = @{ hasMailbox = $false }; ErrorId = 'GraphMailboxNotEnabled' }
    )
}
# The simulator's broken users (--broken): the reason and error id each must fail with, per protocol.
$BrokenReasons = @{
    Ews   = @{
        OutOfScope               = @{ Reason = 'outside the impersonation scope'; ErrorId = 'EwsImpersonationDenied' }
        NoLicense                = @{ Reason = 'no licence, no mailbox'; ErrorId = 'EwsMailboxNotFound' }
        UnlicensedServiceAccount = @{ Reason = 'no licence, no mailbox'; ErrorId = 'EwsMailboxNotFound' }
    }
    Graph = @{
        OutOfScope               = @{ Reason = 'outside the app''s mailbox scope'; ErrorId = 'GraphAccessDenied' }
        NoLicense                = @{ Reason = 'no licence, no mailbox'; ErrorId = 'GraphMailboxNotEnabled' }
        UnlicensedServiceAccount = @{ Reason = 'no licence, no mailbox'; ErrorId = 'GraphMailboxNotEnabled' }
    }
}

function Write-Phase([string] $Text) { Write-Host "== $Text" -ForegroundColor Cyan }

function Invoke-SoakCampaign {
    # One campaign over one protocol, against a simulator and a store of its own. Returns its figures.
    param([Parameter(Mandatory)] [ValidateSet('Ews', 'Graph')] [string] $Protocol)
    $random = [System.Random]::new($Seed)
    $simulatorArguments = @(
        '--users', $Mailboxes, '--seed', $Seed, '--broken', '--items-per-folder', 20,
        '--fault-rate', $FaultRate, '--faults', 'Http500,Http503,ConnectionReset,SlowBody,TruncatedBody,MailboxStoreUnavailable,TimeoutExpired',
        '--slow-body-ms', 400, '--latency-ms', 5, '--jitter-ms', 10, '--backoff-ms', $BackOffMs, '--token-lifetime', $TokenLifetimeSeconds,
        '--server-capacity', (4 * $ThrottleLimit)
    )
    $sim = Start-InboxSimulator -SimulatorPath $SimulatorPath -ArgumentList $simulatorArguments
    $storeHome = New-RunHome
    try {
        if ($Protocol -eq 'Graph') {
            $null = Invoke-Control $sim 'graph/quirks/rate' -Method Post -Body @{ quirk = 'Http503'; rate = $FaultRate }
        }
        $users = @(Invoke-Control $sim 'users' | ForEach-Object primarySmtpAddress)
        $brokenUsers = @(Invoke-Control $sim 'users' | Where-Object broken)
        $numbered = @($users | Where-Object { $_ -notin $brokenUsers.primarySmtpAddress -and $_ -ne $sim.firstMailbox })

        # Failures for good: the simulator's own broken users, plus one mailbox in 200 per kind, half injected before
        # the first run and half between the runs. throttled@ only throttles and must sync; moving@'s move (a transient
        # condition, retried) completes between the runs, so it must sync in the rerun.
        $expected = @{}
        foreach ($broken in $brokenUsers) {
            if ($BrokenReasons[$Protocol].ContainsKey([string]$broken.broken)) { $expected[$broken.primarySmtpAddress] = $BrokenReasons[$Protocol][[string]$broken.broken] }
        }
        $kinds = $FailureKinds[$Protocol]
        $perKind = [Math]::Max(2, [int]($Mailboxes / 200))
        $victims = @($numbered | Sort-Object { $random.Next() } | Select-Object -First ($perKind * $kinds.Count))
        $lateVictims = @{}
        for ($i = 0; $i -lt $victims.Count; $i++) {
            $kind = $kinds[$i % $kinds.Count]
            $expected[$victims[$i]] = @{ Reason = $kind.Reason; ErrorId = $kind.ErrorId }
            if ($i % 2 -eq 0) { $null = Invoke-Control $sim "mailboxes/$($victims[$i])/state" -Method Post -Body $kind.State }
            else { $lateVictims[$victims[$i]] = $kind.State }
        }
        # A few mailboxes are synced with -AllMailFolders (first, so they are done before the first storm deletes a
        # folder of theirs); the others keep Inbox and Sent Items.
        $healthy = @($numbered | Where-Object { -not $expected.ContainsKey($_) })
        $allFolderUsers = @($healthy | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(2, [int]($Mailboxes / 100))))
        $otherUsers = @($users | Where-Object { $_ -notin $allFolderUsers })

        $connect = if ($Protocol -eq 'Graph') {
            @'
$null = Set-InboxAccessType -Organization contoso -AccessType GraphAppOnly -GraphUrl $sim.graphUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
    -ClientSecret (ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force) -ServiceAccount $sim.firstMailbox -WarningAction SilentlyContinue

'@
        }
        else {
            @'
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId `
    -ClientSecret (ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force) -ServiceAccount $sim.firstMailbox

'@
        }
        $syncScript = $connect + @"
`$env:INBOXPS_SOAK_ALL_FOLDERS -split ',' | Start-InboxSync -AllMailFolders -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue |
    ForEach-Object { "##done `$(`$_.Mailbox) `$(`$_.Status) `$(`$_.ErrorId)"; [Console]::Out.Flush() }
`$env:INBOXPS_SOAK_USERS -split ',' | Start-InboxSync -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue |
    ForEach-Object { "##done `$(`$_.Mailbox) `$(`$_.Status) `$(`$_.ErrorId)"; [Console]::Out.Flush() }
"@
        $runEnvironment = @{ INBOXPS_SOAK_USERS = ($otherUsers -join ','); INBOXPS_SOAK_ALL_FOLDERS = ($allFolderUsers -join ',') }
        $injected = [ordered]@{ ServerBusyBatches = 0; CapacityDrops = 0; Graph429Batches = 0; Graph503Batches = 0; SyncStatesInvalidated = 0; FoldersDeleted = 0; ItemsMoved = 0 }
        $restoreCapacity = { $null = Invoke-Control $sim 'throttling' -Method Post -Body @{ serverCapacity = 4 * $ThrottleLimit } }

        function Invoke-Storm([int] $Number, $Waiting, [hashtable] $Stormed, [bool] $DeleteFolders) {
            # Throttling for a batch of the mailboxes still to come, alternating with (EWS) a capacity drop or (Graph)
            # 503s; invalid sync states or delta tokens for a few mailboxes; the folder deletion at the first storm.
            # Each mailbox is in one batch a run at most: one still waiting at the end of a run is a parked one, and
            # throttling it at every storm until it gives up is a server that never recovers, not a storm.
            $batch = @($Waiting | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(3, [int]($Mailboxes / 40))))
            foreach ($mailbox in $batch) { $Stormed[$mailbox] = $true }
            if ($Number % 2 -eq 1) {
                foreach ($mailbox in $batch) { $null = Invoke-Control $sim "mailboxes/$mailbox/throttle" -Method Post -Body @{ busyCalls = 2 } }
                if ($Protocol -eq 'Graph') { $injected.Graph429Batches++ } else { $injected.ServerBusyBatches++ }
            }
            elseif ($Protocol -eq 'Graph') {
                foreach ($mailbox in $batch) { $null = Invoke-Control $sim 'graph/quirks' -Method Post -Body @{ quirk = 'Http503'; count = 2; mailbox = $mailbox } }
                $injected.Graph503Batches++
            }
            else {
                $null = Invoke-Control $sim 'throttling' -Method Post -Body @{ serverCapacity = [Math]::Max(1, [int]($ThrottleLimit / 4)) }
                $injected.CapacityDrops++
            }
            $invalidPath = if ($Protocol -eq 'Graph') { 'graph/delta-tokens/expire' } else { 'sync-states/invalidate' }
            foreach ($mailbox in $healthy | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(2, [int]($Mailboxes / 100)))) {
                $null = Invoke-Control $sim $invalidPath -Method Post -Body @{ mailbox = $mailbox }
                $injected.SyncStatesInvalidated++
            }
            if ($DeleteFolders) {
                foreach ($mailbox in $allFolderUsers) {
                    $null = Invoke-Control $sim "mailboxes/$mailbox/folders/delete" -Method Post -Body @{ folder = $DeletedFolder }
                    $injected.FoldersDeleted++
                }
            }
        }

        function Invoke-StormedRun {
            # Runs the sync in a fresh pwsh while storms blow; -KillAt kills it (the whole process tree, no clean-up)
            # after that many results. Returns the results seen, mailbox -> @(status, error id).
            param([int] $KillAt = 0, [bool] $DeleteFolders)
            $process = Start-InboxRun -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Script $syncScript -Environment $runEnvironment -NoConfigure
            $done = [ordered]@{}
            $stormed = @{}
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
                    & $restoreCapacity
                    $capacityRestoreAt = $null
                }
                if ($now -ge $nextStorm) {
                    $storms++
                    Invoke-Storm -Number $storms -Waiting @($users | Where-Object { -not $done.Contains($_) -and -not $stormed.ContainsKey($_) }) -Stormed $stormed `
                        -DeleteFolders ($DeleteFolders -and $storms -eq 1)
                    if ($Protocol -eq 'Ews' -and $storms % 2 -eq 0) { $capacityRestoreAt = $now.AddSeconds(1.5) }
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
            if ($capacityRestoreAt) { & $restoreCapacity }
            if (-not $killed -and $process.ExitCode -ne 0) {
                throw "The sync run failed with exit code $($process.ExitCode) after $($done.Count) results:`n$($other -join "`n")`n$($process.StandardErrorText.GetAwaiter().GetResult())"
            }
            $process.Dispose()
            return [pscustomobject]@{ Done = $done; Storms = $storms; Killed = $killed }
        }

        Write-Phase "$Protocol run 1: $($users.Count) users at ThrottleLimit $ThrottleLimit, $([int]($FaultRate * 100)) % faults, storms every $StormSeconds s, tokens for $TokenLifetimeSeconds s; hard kill after $([int]($KillAfter * 100)) %"
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $first = Invoke-StormedRun -KillAt ([int]($users.Count * $KillAfter)) -DeleteFolders $true
        Write-Host ("killed after {0} results in {1:0.0} s ({2} storms)" -f $first.Done.Count, $clock.Elapsed.TotalSeconds, $first.Storms)
        if ($first.Storms -eq 0) {
            # The kill came before the first storm: delete the folders now, so the rerun still has to drop them.
            Invoke-Storm -Number 1 -Waiting @() -Stormed @{} -DeleteFolders $true
        }

        # The job is rescheduled later, by which time every back-off the server asked for is over.
        Start-Sleep -Milliseconds ($BackOffMs + 500)
        foreach ($mailbox in $lateVictims.Keys) { $null = Invoke-Control $sim "mailboxes/$mailbox/state" -Method Post -Body $lateVictims[$mailbox] }
        foreach ($moving in $brokenUsers | Where-Object broken -eq 'Moving') {
            $null = Invoke-Control $sim "mailboxes/$($moving.primarySmtpAddress)/state" -Method Post -Body @{ moveInProgress = $false }
        }
        $changed = @($healthy | Sort-Object { $random.Next() } | Select-Object -First ([Math]::Max(5, [int]($Mailboxes / 10))))
        foreach ($mailbox in $changed) {
            $null = Invoke-Control $sim "mailboxes/$mailbox/changes" -Method Post -Body @{ folder = 'inbox'; creates = 2; updates = 1; deletes = 1; readFlagChanges = 2 }
            $null = Invoke-Control $sim "mailboxes/$mailbox/changes" -Method Post -Body @{ folder = 'sentitems'; creates = 1; updates = 1; deletes = 1 }
            $toMove = @(Invoke-Control $sim "mailboxes/$mailbox/items?folder=inbox")[0]
            $null = Invoke-Control $sim 'items/move' -Method Post -Body @{ itemId = $toMove.itemId; folder = 'sentitems' }
            $injected.ItemsMoved++
        }

        Write-Phase "$Protocol run 2: the same input again, after changes in $($changed.Count) mailboxes and $($lateVictims.Count) more mailboxes broken"
        $clock.Restart()
        $second = Invoke-StormedRun
        $rerunSeconds = $clock.Elapsed.TotalSeconds
        Write-Host ("{0} results in {1:0.0} s ({2} storms)" -f $second.Done.Count, $rerunSeconds, $second.Storms)

        Write-Phase "$Protocol checks: results, store and ground truth"
        $metrics = Invoke-Control $sim 'metrics'
        $roster = @{}
        foreach ($row in Get-StoreRows -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Query "SELECT mailbox, status, last_error_id FROM roster") {
            $roster[$row.mailbox] = $row
        }
        $stored = @{}
        foreach ($row in Get-StoreRows -Simulator $sim -ModuleManifest $ModuleManifest -StoreHome $storeHome -Query "SELECT mailbox, item_id, folder_id, internet_message_id, is_read, subject, change_key FROM items") {
            if (-not $stored.ContainsKey($row.mailbox)) { $stored[$row.mailbox] = [System.Collections.Generic.List[object]]::new() }
            $stored[$row.mailbox].Add($row)
        }

        $synced = 0
        $lost = [System.Collections.Generic.List[string]]::new()
        $unexpected = [System.Collections.Generic.List[string]]::new()
        $permanent = [System.Collections.Generic.List[object]]::new()
        $items = [ordered]@{ Checked = 0; Duplicated = 0; Missing = 0; Extra = 0; StaleFolder = 0; StaleReadFlag = 0; StaleSubject = 0; StaleChangeKey = 0 }
        $staleSamples = [System.Collections.Generic.List[string]]::new()
        foreach ($mailbox in $users) {
            $result = $second.Done[$mailbox]
            $entry = $roster[$mailbox]
            if (-not $result -or -not $entry -or $entry.status -ne $result[0]) {
                $lost.Add("$mailbox (result: $(if ($result) { $result[0] } else { 'none' }), store: $(if ($entry) { $entry.status } else { 'not on the roster' }))")
                continue
            }
            if ($result[0] -eq 'Failed') {
                $reason = $expected[$mailbox]
                if ($reason -and $reason.ErrorId -eq $result[1]) { $permanent.Add([pscustomobject]@{ Mailbox = $mailbox; ErrorId = $result[1]; InjectedReason = $reason.Reason }) }
                else { $unexpected.Add("$mailbox failed with $($result[1])$(if ($reason) { ", expected $($reason.ErrorId) ($($reason.Reason))" } else { ', nothing injected' })") }
                continue
            }
            if ($expected.ContainsKey($mailbox)) {
                $unexpected.Add("$mailbox synced although '$($expected[$mailbox].Reason)' was injected")
                continue
            }

            $synced++
            # The ground truth: Inbox and Sent Items, or every mail folder (the deleted one is gone) for -AllMailFolders.
            $folders = if ($mailbox -in $allFolderUsers) {
                @(Invoke-Control $sim "mailboxes/$mailbox/folders" | Where-Object { $_.folderClass -eq 'IPF.Note' -and $_.distinguishedName -notin 'root', 'msgfolderroot' } | ForEach-Object folderId)
            }
            else { $FoldersChecked }
            # Graph ids are immutable ids the ground truth does not list: there an item is known by its message id.
            $keyOf = if ($Protocol -eq 'Graph') { { param($i) [string]$i.internetMessageId } } else { { param($i) [string]$i.itemId } }
            $rowKeyOf = if ($Protocol -eq 'Graph') { { param($r) [string]$r.internet_message_id } } else { { param($r) [string]$r.item_id } }
            $truth = @{}
            foreach ($folder in $folders) {
                foreach ($item in @(Invoke-Control $sim "mailboxes/$mailbox/items?folder=$([uri]::EscapeDataString($folder))")) { $truth[(& $keyOf $item)] = $item }
            }
            $rows = if ($stored.ContainsKey($mailbox)) { $stored[$mailbox] } else { @() }
            $items.Checked += $truth.Count
            # Duplicated: more stored copies of a message (by Internet message id) than the mailbox holds.
            $copiesLeft = @{}
            foreach ($item in $truth.Values) { $copiesLeft[$item.internetMessageId] = 1 + [int]$copiesLeft[$item.internetMessageId] }
            $seen = @{}
            foreach ($row in $rows) {
                $key = & $rowKeyOf $row
                $seen[$key] = $true
                $messageId = [string]$row.internet_message_id
                if ($copiesLeft.ContainsKey($messageId)) {
                    $copiesLeft[$messageId]--
                    if ($copiesLeft[$messageId] -lt 0) { $items.Duplicated++; continue }
                }
                $item = $truth[$key]
                if (-not $item) { $items.Extra++; continue }
                # Graph's folder ids are the EWS ids in the URL-safe alphabet.
                $folderId = if ($Protocol -eq 'Graph') { $item.folderId.Replace('/', '-').Replace('+', '_') } else { $item.folderId }
                $stale = @(
                    if ($folderId -ne $row.folder_id) { 'StaleFolder' }
                    if ([bool]$item.isRead -ne [bool]$row.is_read) { 'StaleReadFlag' }
                    if ($item.subject -cne [string]$row.subject) { 'StaleSubject' }
                    if ($item.changeKey -cne [string]$row.change_key) { 'StaleChangeKey' }
                )
                foreach ($what in $stale) { $items[$what]++ }
                if ($stale -and $staleSamples.Count -lt 10) { $staleSamples.Add("$mailbox $($row.item_id): $($stale -join ', ')") }
            }
            foreach ($key in $truth.Keys) { if (-not $seen.ContainsKey($key)) { $items.Missing++ } }
        }

        $violations = if ($Protocol -eq 'Graph') { [int]$metrics.graph.retryAfterViolations } else { [int]$metrics.backOffViolations }
        $faults = if ($Protocol -eq 'Graph') { $metrics.graph.quirksServed } else { $metrics.faultsInjected }
        $summary = [ordered]@{
            Protocol                  = $Protocol
            Mailboxes                 = $users.Count
            UsersSynced               = $synced
            UsersFailedPermanently    = $permanent.Count
            UsersLost                 = $lost.Count
            UsersFailedUnexpectedly   = $unexpected.Count
            ItemsChecked              = $items.Checked
            ItemsDuplicated           = $items.Duplicated
            ItemsMissing              = $items.Missing
            ItemsExtra                = $items.Extra
            ItemsStale                = $items.StaleFolder + $items.StaleReadFlag + $items.StaleSubject + $items.StaleChangeKey
            ItemsStaleFolder          = $items.StaleFolder
            ItemsStaleReadFlag        = $items.StaleReadFlag
            ItemsStaleSubject         = $items.StaleSubject
            ItemsStaleChangeKey       = $items.StaleChangeKey
            BackOffViolations         = $violations
            KilledAfterResults        = $first.Done.Count
            RerunSeconds              = [Math]::Round($rerunSeconds, 1)
            Storms                    = $first.Storms + $second.Storms
            Requests                  = if ($Protocol -eq 'Graph') { [int]$metrics.graph.requests } else { [int]$metrics.ewsRequests }
            FaultsInjected            = [int](($faults.PSObject.Properties.Value | Measure-Object -Sum).Sum)
            ThrottledResponses        = if ($Protocol -eq 'Graph') { [int](($metrics.graph.throttledByCause.PSObject.Properties.Value | Measure-Object -Sum).Sum) } else { [int]$metrics.throttledResponses }
            TokenRequests             = [int](($metrics.tokenRequestsByGrant.PSObject.Properties.Value | Measure-Object -Sum).Sum)
            Unauthorized              = if ($Protocol -eq 'Graph') { [int]$metrics.graph.unauthorized } else { [int]$metrics.unauthorized }
            AllMailFolderUsers        = $allFolderUsers.Count
        }
        foreach ($name in $injected.Keys) { $summary[$name] = $injected[$name] }
        $summary['FaultsByKind'] = ($faults.PSObject.Properties | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '
        $summary['Permanent'] = @($permanent)
        $summary['Problems'] = @($lost) + @($unexpected) + @($staleSamples)
        return $summary
    }
    finally {
        $sim | Stop-InboxSimulator
        Remove-Item -Recurse -Force $storeHome -ErrorAction SilentlyContinue
    }
}

$mustBeZero = 'UsersLost', 'UsersFailedUnexpectedly', 'ItemsDuplicated', 'ItemsMissing', 'ItemsExtra', 'ItemsStale', 'BackOffViolations'
$campaignClock = [System.Diagnostics.Stopwatch]::StartNew()
$summaries = [ordered]@{}
foreach ($name in $Protocol) {
    $summary = Invoke-SoakCampaign -Protocol $name
    $summaries[$name] = $summary
    Write-Host ''
    Write-Host "$name users failed permanently, each with the reason injected for it:"
    $summary.Permanent | Sort-Object InjectedReason, Mailbox | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    foreach ($line in $summary.Problems) { Write-Host "  PROBLEM: $line" -ForegroundColor Red }
    Write-Host "faults injected by kind: $($summary.FaultsByKind)"
    foreach ($key in @($summary.Keys | Where-Object { $_ -notin 'Permanent', 'Problems', 'FaultsByKind' })) {
        $flag = if ($key -in $mustBeZero) { if ($summary[$key] -eq 0) { '  (must be 0: ok)' } else { '  (must be 0: FAILED)' } } else { '' }
        Write-Host ('{0,-26} {1}{2}' -f $key, $summary[$key], $flag)
    }
}

if ($SummaryPath) { $summaries | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $SummaryPath }
$failedChecks = @(foreach ($name in $summaries.Keys) { $mustBeZero | Where-Object { $summaries[$name][$_] -ne 0 } | ForEach-Object { "$name $_" } })
if ($ReportPath) {
    . (Join-Path $PSScriptRoot 'Write-SoakReport.ps1')
    Write-SoakReport -Path $ReportPath -Summaries $summaries -MustBeZero $mustBeZero -Minutes $campaignClock.Elapsed.TotalMinutes -CommandLine $CommandLine -Settings ([ordered]@{
            Mailboxes = $Mailboxes; ThrottleLimit = $ThrottleLimit; FaultRate = $FaultRate; TokenLifetimeSeconds = $TokenLifetimeSeconds
            StormSeconds = $StormSeconds; KillAfter = $KillAfter; Seed = $Seed; BackOffMs = $BackOffMs })
}
if ($failedChecks) {
    Write-Host "Soak FAILED: $($failedChecks -join ', ') not zero." -ForegroundColor Red
    exit 1
}
Write-Host 'Soak passed: nothing lost, duplicated, missing or stale, and every back-off honoured.' -ForegroundColor Green
