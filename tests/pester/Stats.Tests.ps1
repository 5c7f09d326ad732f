# Issue 18 through the built module in real pwsh against the simulator: the summary line, the statistics, items and
# report cmdlets with their views, and the run record of a hard-killed run.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sim = Start-TestSimulator -ArgumentList '--users', '10', '--items-per-folder', '8', '--broken'
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
    $outOfScope = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -eq 'OutOfScope')[0].primarySmtpAddress
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'What was synced' {
    BeforeAll {
        $storeHome = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
        $targets = @($users[1].primarySmtpAddress, $users[2].primarySmtpAddress, $outOfScope)
        $results = @($targets | Start-InboxSync -Folder Inbox -ErrorAction SilentlyContinue -InformationVariable info)
    }
    AfterAll { Exit-TestStore }

    It 'ends Start-InboxSync with one summary line on the information stream' {
        $summary = @($info | Where-Object { $_.Tags -contains 'Summary' })
        $summary | Should -HaveCount 1
        $added = ($results | Measure-Object ItemsAdded -Sum).Sum
        "$($summary[0].MessageData)" | Should -Match "^Start-InboxSync: 3 user\(s\): 2 synced, 1 failed, 0 skipped; items \+$added ~0 -0; took .+, throttled .+\.$"
    }

    It 'keeps a run record that says who started it where, with which parameters, and how it ended' {
        $run = Get-InboxSyncRun -Organization contoso -Last 1
        $run.Result | Should -Be 'Completed'
        $run.Machine | Should -Be ([Environment]::MachineName)
        $run.StartedBy | Should -Not -BeNullOrEmpty
        $run.Parameters | Should -BeExactly '-Folder Inbox (piped mailboxes)'
        $run.ItemsAdded | Should -Be ($results | Measure-Object ItemsAdded -Sum).Sum
        ($run | Format-Table | Out-String -Width 80 -Stream) | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'shows each user''s statistics in a table within 80 columns and the detail in a list' {
        $statistics = @(Get-InboxSyncStatus -Organization contoso -IncludeInactive | Get-InboxSyncStatistics)
        $statistics | Should -HaveCount 3
        $synced = $statistics | Where-Object Mailbox -eq $users[1].primarySmtpAddress
        $truth = @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$($users[1].primarySmtpAddress)/items?folder=inbox")
        "$($synced.Items) $($synced.Attempts) $($synced.AccessType)" | Should -BeExactly "$($truth.Count) 1 OAuthAppOnly"
        ($synced.Folders | Where-Object Selected).Items | Should -Be $truth.Count
        $failed = $statistics | Where-Object Mailbox -eq $outOfScope
        $failed.Failures[0].ErrorId | Should -Be 'EwsImpersonationDenied'
        $table = @($statistics | Format-Table | Out-String -Width 80 -Stream)
        ($table -join "`n") | Should -Match 'Mailbox\s+Status\s+Items\s+SizeMB\s+Skip\s+LastSuccess'
        $table | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        ($failed | Format-List | Out-String) | Should -Match 'Failures\s*:.*EwsImpersonationDenied'
    }

    It 'lists the items of users piped from Get-InboxSyncStatus, filtered, and exports them as .eml and CSV' {
        $mailbox = $users[2].primarySmtpAddress
        $truth = @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$mailbox/items?folder=inbox")
        $items = @(Get-InboxSyncStatus -Organization contoso -Mailbox $mailbox | Get-InboxItem)
        @($items.ItemId | Sort-Object) | Should -BeExactly @($truth.itemId | Sort-Object)
        @((Get-InboxItem -Mailbox $mailbox -Unread).ItemId | Sort-Object) | Should -BeExactly @(($truth | Where-Object { -not $_.isRead }).itemId | Sort-Object)
        $table = @($items | Format-Table | Out-String -Width 80 -Stream)
        $table | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }

        $exported = @($items | Export-InboxItem -Path (Join-Path $storeHome 'export'))
        $exported | Should -HaveCount $items.Count
        @($exported.Source | Sort-Object -Unique) | Should -Be @('Fetched')
        $exported | ForEach-Object { Test-Path $_.Path | Should -BeTrue }
        Split-Path (Split-Path $exported[0].Path) -Leaf | Should -BeExactly 'Inbox'

        $csv = Join-Path $storeHome 'items.csv'
        $items | Export-Csv $csv -NoTypeInformation
        @(Import-Csv $csv) | Should -HaveCount $items.Count
    }

    It 'writes one self-contained HTML report with the statistics'' figures' {
        $report = Export-InboxSyncReport -Organization contoso -Path (Join-Path $storeHome 'report.html')
        $html = Get-Content -Raw $report.FullName
        $html | Should -Not -Match '(src|href)="(https?:)?//'
        $html | Should -Match 'data-total="users" data-value="3"'
        $html | Should -Match 'data-total="failed" data-value="1"'
        $html | Should -Match '<svg '
    }
}

Describe 'A hard-killed run' {
    BeforeAll {
        $storeHome = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
    }
    AfterAll { Exit-TestStore }

    It 'shows as Interrupted once its claims have expired, and a finished run as Completed' {
        $targets = @($users[3..6].primarySmtpAddress)
        $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults' -Method Post -Body @{ latencyMs = 80 }
        try {
            # Claims of two seconds, so a dead worker's run shows as Interrupted quickly.
            $process = Start-FreshPwsh -Environment @{ INBOXPS_HOME = $storeHome; INBOXPS_LEASE_SECONDS = '2'; INBOXPS_TEST_SIM = ($sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress); INBOXPS_TEST_TARGETS = ($targets -join ',') } -Script @'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount ($env:INBOXPS_TEST_TARGETS -split ',')[0]
$env:INBOXPS_TEST_TARGETS -split ',' | Start-InboxSync -ThrottleLimit 1 | ForEach-Object { "done=$($_.Mailbox)"; [Console]::Out.Flush() }
'@
            while (-not $process.HasExited) {
                $line = $process.StandardOutput.ReadLine()
                if ($null -eq $line -or $line -like 'done=*') { break }
            }
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.WaitForExit()
            $process.Dispose()
        }
        finally {
            $null = Invoke-SimulatorControl -Simulator $sim -Path 'faults' -Method Post -Body @{ latencyMs = 0 }
        }

        $killed = Get-InboxSyncRun -Organization contoso -Last 1
        $killed.Ended | Should -BeNullOrEmpty
        Start-Sleep -Seconds 3
        (Get-InboxSyncRun -Organization contoso -Last 1).Result | Should -Be 'Interrupted'
        $null = $targets | Start-InboxSync
        @((Get-InboxSyncRun -Organization contoso).Result) | Should -Be @('Completed', 'Interrupted')
    }
}
