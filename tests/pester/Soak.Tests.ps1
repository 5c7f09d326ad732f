BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

# The short form of build.ps1 -Task Soak: the same campaign (tests/soak/Invoke-InboxSoak.ps1) with 150 mailboxes
# instead of 1,000, once per protocol, and tokens that live five seconds so they expire during both runs.
Describe 'The fault campaign, short form, over <Protocol>' -ForEach @(@{ Protocol = 'Ews' }, @{ Protocol = 'Graph' }) {
    BeforeAll {
        $summaryPath = Join-Path ([System.IO.Path]::GetTempPath()) ('inboxps-soak-' + [guid]::NewGuid().ToString('N') + '.json')
        $pwsh = @(Get-PwshCommand)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $script:RepoRoot 'tests/soak/Invoke-InboxSoak.ps1'),
            '-ModuleManifest', $script:ModuleManifest, '-SimulatorPath', (Get-TestSimulatorPath), '-Protocol', $Protocol,
            '-Mailboxes', '150', '-TokenLifetimeSeconds', '5', '-StormSeconds', '2', '-SummaryPath', $summaryPath)
        $output = & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" }
        $exitCode = $LASTEXITCODE
        $summary = if (Test-Path $summaryPath) { (Get-Content -Raw $summaryPath | ConvertFrom-Json).$Protocol }
        Remove-Item $summaryPath -ErrorAction SilentlyContinue
        $transcript = $output -join "`n"
    }

    It 'finishes and writes its figures' {
        $summary | Should -Not -BeNullOrEmpty -Because $transcript
        $exitCode | Should -Be 0 -Because $transcript
    }

    It 'lost no user and failed none without an injected reason' {
        $summary.UsersLost | Should -Be 0 -Because ($summary.Problems -join "`n")
        $summary.UsersFailedUnexpectedly | Should -Be 0 -Because ($summary.Problems -join "`n")
        $summary.UsersSynced + $summary.UsersFailedPermanently | Should -Be $summary.Mailboxes
    }

    It 'reports each permanent failure with the reason injected for it' {
        $summary.UsersFailedPermanently | Should -BeGreaterThan 0
        @($summary.Permanent).Count | Should -Be $summary.UsersFailedPermanently
        foreach ($failure in $summary.Permanent) { $failure.InjectedReason | Should -Not -BeNullOrEmpty }
    }

    It 'stored every item once, none missing, none stale, against the simulator''s ground truth' {
        $summary.ItemsChecked | Should -BeGreaterThan 1000
        $summary.ItemsDuplicated | Should -Be 0
        $summary.ItemsMissing | Should -Be 0
        $summary.ItemsExtra | Should -Be 0
        $summary.ItemsStale | Should -Be 0
    }

    It 'compared folders, read flags, subjects and change keys after updates, moves, invalid sync states and a folder deletion' {
        $summary.ItemsStaleFolder + $summary.ItemsStaleReadFlag + $summary.ItemsStaleSubject + $summary.ItemsStaleChangeKey | Should -Be 0 -Because ($summary.Problems -join "`n")
        $summary.ItemsMoved | Should -BeGreaterThan 0
        $summary.SyncStatesInvalidated | Should -BeGreaterThan 0
        $summary.FoldersDeleted | Should -BeGreaterThan 0
    }

    It 'never sent a request while the server''s back-off (EWS) or Retry-After (Graph) was running' {
        $summary.BackOffViolations | Should -Be 0
    }

    It 'really went through faults, throttling, a hard kill and token renewals' {
        $summary.FaultsInjected | Should -BeGreaterThan 10
        if ($Protocol -eq 'Ews') { $summary.FaultsByKind | Should -Match 'MailboxStoreUnavailable \d+.*TimeoutExpired \d+|TimeoutExpired \d+.*MailboxStoreUnavailable \d+' }
        $summary.ThrottledResponses | Should -BeGreaterThan 0
        $summary.KilledAfterResults | Should -BeGreaterThan 0
        $summary.KilledAfterResults | Should -BeLessThan $summary.Mailboxes
        # One token per connect (two runs and the store readers do not sign in); more means five-second tokens were renewed.
        $summary.TokenRequests | Should -BeGreaterThan 2
        $summary.Unauthorized | Should -Be 0
    }
}
