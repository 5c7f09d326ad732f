BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $startCommand = 'InboxPS.Commands.StartInboxSyncCommand'
    $sim = Start-TestSimulator -ArgumentList '--users', '24', '--items-per-folder', '12', '--broken', '--backoff-ms', '300'
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Start-InboxSync' {
    BeforeEach {
        $storeHome = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
    }
    AfterEach { Exit-TestStore }

    It 'syncs Get-Mailbox-shaped objects, CSV rows and strings, one result per user, and bad rows fail alone' {
        # A mailbox from a remote session: deserialized, PrimarySmtpAddress an address object rather than a string.
        $remote = [pscustomobject]@{ Identity = 'Remote User'; PrimarySmtpAddress = [System.Net.Mail.MailAddress]::new($users[5].primarySmtpAddress) }
        $remote.PSObject.TypeNames.Insert(0, 'Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox')
        $records = @(
            [pscustomobject]@{ Identity = $users[1].displayName; PrimarySmtpAddress = $users[1].primarySmtpAddress; UserPrincipalName = $users[1].userPrincipalName; Alias = 'u1'; ExchangeGuid = [guid]::NewGuid() }
            [pscustomobject]@{ EmailAddress = $users[2].primarySmtpAddress }
            $users[3].primarySmtpAddress
            [pscustomobject]@{ Mail = $users[3].primarySmtpAddress.ToUpperInvariant() }
            [pscustomobject]@{ UserPrincipalName = $users[4].userPrincipalName }
            $remote
            [pscustomobject]@{ PrimarySmtpAddress = 'not an address' }
            [pscustomobject]@{ ExternalDirectoryObjectId = '0b5f7a4e-8c1d-4d7e-9d57-6c3c1f1e2a10' }
        )
        $results = @($records | Start-InboxSync -Organization contoso -ThrottleLimit 4 -ErrorVariable syncErrors -ErrorAction SilentlyContinue)
        $results | Should -HaveCount 7
        @($results | Where-Object Status -eq 'Synced') | Should -HaveCount 5
        @($results | Where-Object Activated) | Should -HaveCount 5
        $results[0].GetType().FullName | Should -BeExactly 'InboxPS.Core.Sync.MailboxSyncResult'
        @($syncErrors.FullyQualifiedErrorId | Sort-Object) | Should -BeExactly @("MailboxAddressInvalid,$startCommand", "MailboxIdentityUnresolvable,$startCommand")
        @($syncErrors | ForEach-Object { "$($_.CategoryInfo.Category)" } | Sort-Object -Unique) | Should -Be @('InvalidArgument')
        $csv = Join-Path $storeHome 'sync.csv'
        $results | Export-Csv $csv -NoTypeInformation
        $rows = @(Import-Csv $csv)
        $rows | Should -HaveCount 7
        $rows[0].PSObject.Properties.Name -join ',' |
            Should -BeExactly 'Organization,Mailbox,Status,Activated,Rebaselined,Folders,ItemsAdded,ItemsUpdated,ItemsDeleted,ItemsSkipped,ThrottledFor,Attempts,Duration,ErrorId,Message,RecommendedAction'
        @(Get-InboxSyncStatus -Organization contoso | Where-Object Status -eq 'Synced') | Should -HaveCount 5
        $first = $results | Where-Object Mailbox -eq $users[1].primarySmtpAddress
        $first.Folders | Should -Be 2
        $first.ItemsAdded | Should -Be (Get-TestTruthCount $sim $users[1].primarySmtpAddress)
    }

    It 'reports broken mailboxes as failed results and errors with the reason, and retries only the failed ones' {
        $broken = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -in 'OutOfScope', 'NoLicense')
        $results = @($broken[0].primarySmtpAddress, $broken[1].primarySmtpAddress, $users[5].primarySmtpAddress |
                Start-InboxSync -ErrorAction SilentlyContinue -ErrorVariable syncErrors)
        @($results | Where-Object Status -eq 'Failed') | Should -HaveCount 2
        $syncErrors.FullyQualifiedErrorId | Should -Contain "EwsImpersonationDenied,$startCommand"
        ($results | Where-Object ErrorId -eq 'EwsImpersonationDenied').RecommendedAction | Should -BeLike '*ApplicationImpersonation*'
        $retry = @(Get-InboxSyncStatus -Organization contoso -Status Failed | Start-InboxSync -ErrorAction SilentlyContinue)
        @($retry.Mailbox | Sort-Object) | Should -BeExactly @($broken[0..1].primarySmtpAddress | Sort-Object)
    }

    It 'with no input syncs every activated user incrementally, and -WhatIf changes nothing' {
        $null = $users[6..8].primarySmtpAddress | Start-InboxSync
        $whatIf = @($users[9..10].primarySmtpAddress | Start-InboxSync -WhatIf)
        $whatIf | Should -HaveCount 2
        @($whatIf.Status | Sort-Object -Unique) | Should -Be @('WhatIf')
        @(Get-InboxSyncStatus) | Should -HaveCount 3
        $again = @(Start-InboxSync)
        $again | Should -HaveCount 3
        @($again.Status | Sort-Object -Unique) | Should -Be @('Synced')
        ($again | Measure-Object ItemsAdded -Sum).Sum | Should -Be 0
    }

    It 'fits its default table in a 120-column console' {
        $lines = @($users[11].primarySmtpAddress, 'bad address' | Start-InboxSync -ErrorAction SilentlyContinue | Format-Table | Out-String -Width 120 -Stream)
        ($lines -join "`n") | Should -Match 'Mailbox\s+Status\s+Fldrs\s+Added\s+Upd\s+Del\s+Duration\s+Message'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        ($lines -join "`n") | Should -Match 'bad address\s+Failed.*MailboxIdentityUnresolvable'
    }

    It 'writes its per-mailbox verbose lines with -Verbose or $VerbosePreference, and drops them before posting otherwise' {
        # Lines nobody would see are not posted to the pipeline thread at all (issue 15, client CPU); shown ones still come.
        function Get-VerboseLines { param([scriptblock] $Sync) @(& $Sync 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) }
        $switched = Get-VerboseLines { $users[6].primarySmtpAddress | Start-InboxSync -Verbose }
        $switched | Should -Contain "$($users[6].primarySmtpAddress): checking the mailbox can be impersonated."
        $preferred = Get-VerboseLines { $VerbosePreference = 'Continue'; $users[7].primarySmtpAddress | Start-InboxSync }
        $preferred | Should -Contain "$($users[7].primarySmtpAddress): checking the mailbox can be impersonated."
        Get-VerboseLines { $users[8].primarySmtpAddress | Start-InboxSync -Verbose:$false } | Should -HaveCount 0
    }

    It 'stops promptly when the pipeline is stopped downstream, keeping what finished' {
        $first = $users[12..16].primarySmtpAddress | Start-InboxSync -ThrottleLimit 1 | Select-Object -First 1
        $first.Status | Should -Be 'Synced'
        @(Get-InboxSyncStatus | Where-Object Status -eq 'Synced').Count | Should -BeLessThan 5
    }

    It 'converges after the syncing process is killed hard mid-run: nothing lost, nothing duplicated' {
        Assert-SyncConvergesAfterKill -Simulator $sim -StoreHome $storeHome -Targets @($users[17..22].primarySmtpAddress)
    }
}

Describe 'Test-InboxImpersonation' {
    BeforeEach {
        $null = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
    }
    AfterEach { Exit-TestStore }

    It 'checks each mailbox without activating anyone' {
        $outOfScope = (Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -eq 'OutOfScope').primarySmtpAddress
        $tests = @($users[1].primarySmtpAddress, $outOfScope | Test-InboxImpersonation)
        # Results come as the checks finish, in any order.
        @($tests | ForEach-Object { "$($_.Mailbox) $($_.CanImpersonate) $($_.ErrorId)" } | Sort-Object) |
            Should -BeExactly @(@("$($users[1].primarySmtpAddress) True ", "$outOfScope False EwsImpersonationDenied") | Sort-Object)
        @(Get-InboxSyncStatus -IncludeInactive) | Should -HaveCount 0
    }
}

Describe 'Disable-InboxSync' {
    BeforeEach {
        $null = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
    }
    AfterEach { Exit-TestStore }

    It 'deactivates users, and -RemoveData forgets their items' {
        $null = $users[1..2].primarySmtpAddress | Start-InboxSync
        Disable-InboxSync -Identity $users[1].primarySmtpAddress -Confirm:$false
        Disable-InboxSync -Identity $users[2].primarySmtpAddress -RemoveData -Confirm:$false
        @(Get-InboxSyncStatus) | Should -HaveCount 0
        @(Get-InboxSyncStatus -IncludeInactive | ForEach-Object { "$($_.Mailbox):$($_.Status)" }) | Should -BeExactly @("$($users[1].primarySmtpAddress):Inactive")
        Disable-InboxSync -Identity nobody@contoso.test -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].FullyQualifiedErrorId | Should -BeExactly 'MailboxNotOnRoster,InboxPS.Commands.DisableInboxSyncCommand'
    }
}
