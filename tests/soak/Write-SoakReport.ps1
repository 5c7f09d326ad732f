# Writes docs/soak.md from one run of Invoke-InboxSoak.ps1 (dot-sourced by it): the figures per protocol, the commit
# it ran from and whether the tree was dirty, what was injected and what was checked.
function Write-SoakReport {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Summaries,
        [Parameter(Mandatory)] [string[]] $MustBeZero,
        [Parameter(Mandatory)] [double] $Minutes,
        [Parameter(Mandatory)] [string] $CommandLine,
        [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Settings
    )
    $commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null)
    $dirty = if (& git -C $PSScriptRoot status --porcelain --untracked-files=no 2>$null) { 'yes: the figures are not those of that commit alone' } else { 'no' }
    $protocols = @($Summaries.Keys)
    $figures = @($Summaries[$protocols[0]].Keys | Where-Object { $_ -notin 'Protocol', 'Permanent', 'Problems', 'FaultsByKind' })
    $verdict = foreach ($name in $protocols) {
        $failed = @($MustBeZero | Where-Object { $Summaries[$name][$_] -ne 0 })
        if ($failed) { "$name FAILED ($($failed -join ', '))" } else { "$name passed" }
    }

    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('# Soak: the single-worker fault campaign')
    $lines.Add('')
    $lines.Add("Written by ``$CommandLine`` (tests/soak/Invoke-InboxSoak.ps1) from its last run; do not edit by hand.")
    $lines.Add('')
    $lines.Add("- Ran: $([DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm')) UTC, $([Math]::Round($Minutes, 1)) minutes, on $([Environment]::ProcessorCount) cores, PowerShell $($PSVersionTable.PSVersion)")
    $lines.Add("- Commit: $commit; uncommitted changes to tracked files: $dirty")
    $lines.Add("- Settings: $(($Settings.Keys | ForEach-Object { "$_ $($Settings[$_])" }) -join ', ')")
    $lines.Add("- Verdict: $($verdict -join '; ')")
    $lines.Add('')
    $lines.Add('## What was injected')
    $lines.Add('')
    $lines.Add('Each protocol runs against a simulator and a store of its own: a first run hard-killed (the whole process tree)')
    $lines.Add('after a share of the results, then a rerun of the same input, storms blowing on a clock during both.')
    $lines.Add('')
    $lines.Add('- EWS: a share of requests fails transiently (HTTP 500, empty 503, connection reset, stalled and truncated')
    $lines.Add('  bodies, ErrorMailboxStoreUnavailable, ErrorTimeoutExpired); storms alternate ErrorServerBusy with a back-off')
    $lines.Add('  for a batch of mailboxes and a drop of the server''s capacity; invalid sync states (ErrorInvalidSyncStateData).')
    $lines.Add('- Graph: a share of requests answers 503 with Retry-After; storms alternate 429 with Retry-After and 503s for a')
    $lines.Add('  batch of mailboxes; expired delta tokens (410 syncStateNotFound).')
    $lines.Add('- Both: short-lived tokens; mailboxes removed, put out of scope or (EWS) with EWS disabled, before the first')
    $lines.Add('  run and between the runs; a mailbox move completing between the runs; the ''Projects'' folder of the')
    $lines.Add('  -AllMailFolders mailboxes deleted during the first run; new, updated (subject, change key), read/unread,')
    $lines.Add('  deleted and moved (Inbox to Sent Items) items between the runs.')
    $lines.Add('')
    $lines.Add('## What was checked')
    $lines.Add('')
    $lines.Add('Every user has exactly one result and the store''s roster agrees with it (lost = 0); every failure has the')
    $lines.Add('error id of the reason injected for it (unexpected = 0); every synced mailbox''s stored items equal the')
    $lines.Add('simulator''s ground truth (Inbox and Sent Items; every mail folder for the -AllMailFolders mailboxes):')
    $lines.Add('none duplicated, missing or extra, none stale (folder, read flag, subject, change key); no request sent')
    $lines.Add('while the server''s back-off (EWS) or Retry-After (Graph) was running. Over Graph, items are matched by')
    $lines.Add('Internet message id (InboxPS stores immutable ids).')
    $lines.Add('')
    $lines.Add('## Figures')
    $lines.Add('')
    $lines.Add("| Figure | $($protocols -join ' | ') |")
    $lines.Add("| --- |$(' ---: |' * $protocols.Count)")
    foreach ($figure in $figures) {
        $name = if ($figure -in $MustBeZero) { "$figure (must be 0)" } else { $figure }
        $lines.Add("| $name | $(($protocols | ForEach-Object { $Summaries[$_][$figure] }) -join ' | ') |")
    }
    $lines.Add('')
    foreach ($name in $protocols) {
        $lines.Add("$name faults injected by kind: $($Summaries[$name].FaultsByKind)")
        $lines.Add('')
        $problems = @($Summaries[$name].Problems)
        if ($problems) {
            $lines.Add("$name problems:")
            $lines.Add('')
            foreach ($problem in $problems) { $lines.Add("- $problem") }
            $lines.Add('')
        }
    }
    Set-Content -LiteralPath $Path -Value ($lines -join "`n") -NoNewline
    Add-Content -LiteralPath $Path -Value ''
    Write-Host "Wrote $Path"
}
