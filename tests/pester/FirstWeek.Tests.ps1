# Issue 19, an admin's first week: each It is one of the issue's reproductions, run against the simulator.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $sim = Start-TestSimulator -ArgumentList '--users', '16', '--items-per-folder', '8', '--broken'
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })
    $outOfScope = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object broken -eq 'OutOfScope')[0].primarySmtpAddress

    function Enter-ConnectedStore {
        # Every test's start: a private store with contoso connected to the simulator; returns the store's folder.
        $storeHome = Enter-TestStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress
        return $storeHome
    }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Safe and predictable' {
    BeforeEach {
        $null = Enter-ConnectedStore
        $null = $users[1..3].primarySmtpAddress | Start-InboxSync -Organization contoso
    }
    AfterEach { Exit-TestStore }

    It 'syncs nobody when the piped input is <Name>, and warns' -ForEach @(
        @{ Name = 'an empty array'; Piped = @() }
        @{ Name = '$null'; Piped = $null }
    ) {
        $before = @(Get-InboxSyncStatus -Organization contoso | ForEach-Object { "$($_.Mailbox) $($_.LastAttempt.Ticks)" })
        $results = @($Piped | Start-InboxSync -Organization contoso -WarningVariable warned -WarningAction SilentlyContinue)
        $results | Should -HaveCount 0
        "$warned" | Should -BeLike '*input*empty*'
        @(Get-InboxSyncStatus -Organization contoso | ForEach-Object { "$($_.Mailbox) $($_.LastAttempt.Ticks)" }) | Should -BeExactly $before
    }

    It 'still syncs every activated user when called with no pipeline at all (the runbook form)' {
        @(Start-InboxSync -Organization contoso) | Should -HaveCount 3
    }

    It 'keeps the folders chosen for a user: <Name>' -ForEach @(
        @{ Name = '-AllMailFolders'; Choice = @{ AllMailFolders = $true } }
        @{ Name = '-Folder Inbox'; Choice = @{ Folder = 'Inbox' } }
    ) {
        $first = $users[5].primarySmtpAddress | Start-InboxSync -Organization contoso @Choice
        $first.Status | Should -Be 'Synced'
        $runbook = Start-InboxSync -Organization contoso | Where-Object Mailbox -eq $users[5].primarySmtpAddress
        $runbook.Folders | Should -Be $first.Folders
        $retry = Get-InboxSyncStatus -Organization contoso -Mailbox $users[5].primarySmtpAddress | Start-InboxSync
        $retry.Folders | Should -Be $first.Folders
        (Get-InboxSyncStatus -Organization contoso -Mailbox $users[5].primarySmtpAddress).Folders | Should -Be $first.Folders
    }

    It 'a new -Folder given for a user replaces the choice' {
        $null = $users[6].primarySmtpAddress | Start-InboxSync -Organization contoso -AllMailFolders
        ($users[6].primarySmtpAddress | Start-InboxSync -Organization contoso -Folder Inbox).Folders | Should -Be 1
        (Start-InboxSync -Organization contoso | Where-Object Mailbox -eq $users[6].primarySmtpAddress).Folders | Should -Be 1
    }

    It 'names the deactivation Disable-InboxSync and keeps Stop-InboxSync as its alias' {
        (Get-Command Disable-InboxSync -Module InboxPS).CommandType | Should -Be 'Cmdlet'
        $alias = Get-Command Stop-InboxSync
        $alias.CommandType | Should -Be 'Alias'
        $alias.ResolvedCommand.Name | Should -Be 'Disable-InboxSync'
        (Get-Module InboxPS).ExportedAliases.Keys | Should -Contain 'Stop-InboxSync'
    }

    It '-RemoveData -PassThru returns what was removed' {
        $stored = Get-InboxSyncStatus -Organization contoso -Mailbox $users[1].primarySmtpAddress
        $stored.Items | Should -BeGreaterThan 0
        $removed = @(Disable-InboxSync -Organization contoso -Identity $users[1].primarySmtpAddress -RemoveData -PassThru -Confirm:$false)
        $removed | Should -HaveCount 1
        $removed[0].Mailbox | Should -Be $users[1].primarySmtpAddress
        $removed[0].Active | Should -BeFalse
        "$($removed[0].Folders) $($removed[0].Items)" | Should -Be "$($stored.Folders) $($stored.Items)"
        @(Get-InboxSyncStatus -Organization contoso -IncludeInactive | Where-Object Mailbox -eq $users[1].primarySmtpAddress) | Should -HaveCount 0
        # Without -RemoveData, -PassThru shows the deactivated user.
        (Stop-InboxSync -Organization contoso -Identity $users[2].primarySmtpAddress -PassThru -Confirm:$false).Status | Should -Be 'Inactive'
    }
}

Describe 'Pipelines that work as the help says' {
    BeforeEach {
        $storeHome = Enter-ConnectedStore
    }
    AfterEach { Exit-TestStore }

    It 'Get-Mailbox | Get-InboxSyncStatus finds users whose Identity is a display name' {
        $null = $users[1..2].primarySmtpAddress | Start-InboxSync -Organization contoso
        $mailboxes = $users[1..2] | ForEach-Object {
            [pscustomobject]@{ Identity = $_.displayName; Name = $_.displayName; PrimarySmtpAddress = $_.primarySmtpAddress; UserPrincipalName = $_.userPrincipalName }
        }
        @($mailboxes | Get-InboxSyncStatus | ForEach-Object Mailbox | Sort-Object) | Should -BeExactly @($users[1..2].primarySmtpAddress | Sort-Object)
        # A wildcard by name still works.
        @(Get-InboxSyncStatus -Mailbox ($users[1].primarySmtpAddress.Substring(0, 6) + '*')).Mailbox | Should -Contain $users[1].primarySmtpAddress
    }

    It 'Get-InboxSyncStatus -Status Failed | Start-InboxSync retries each user in its own organization' {
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress -Organization fabrikam
        $null = $outOfScope, $users[1].primarySmtpAddress | Start-InboxSync -Organization contoso -ErrorAction SilentlyContinue
        $null = $outOfScope, $users[2].primarySmtpAddress | Start-InboxSync -Organization fabrikam -ErrorAction SilentlyContinue
        $retry = @(Get-InboxSyncStatus -Status Failed | Start-InboxSync -ErrorAction SilentlyContinue -ErrorVariable retryErrors)
        @($retry | ForEach-Object { "$($_.Organization) $($_.Mailbox) $($_.Status)" } | Sort-Object) |
            Should -BeExactly @("contoso $outOfScope Failed", "fabrikam $outOfScope Failed")
        @($retryErrors | Where-Object { $_.FullyQualifiedErrorId -notlike 'EwsImpersonationDenied,*' }) | Should -HaveCount 0
        # Piped records without an organization still need one when two exist.
        { $users[3].primarySmtpAddress | Start-InboxSync -ErrorAction Stop } | Should -Throw -ErrorId 'OrganizationRequired*'
    }

    It 'reads the Microsoft 365 admin center export (User principal name) and an Email column' {
        $csv = Join-Path $storeHome 'users.csv'
        @(
            [pscustomobject]@{ 'Display name' = $users[1].displayName; 'User principal name' = $users[1].userPrincipalName }
        ) | Export-Csv $csv -NoTypeInformation
        $emails = Join-Path $storeHome 'emails.csv'
        @([pscustomobject]@{ Name = $users[2].displayName; Email = $users[2].primarySmtpAddress }) | Export-Csv $emails -NoTypeInformation
        $results = @(Import-Csv $csv; Import-Csv $emails) | Start-InboxSync -Organization contoso
        @($results | ForEach-Object { "$($_.Mailbox) $($_.Status)" } | Sort-Object) |
            Should -BeExactly @("$($users[1].userPrincipalName) Synced", "$($users[2].primarySmtpAddress) Synced" | Sort-Object)
    }

    It 'names the columns it saw when none is recognised' {
        $row = [pscustomobject]@{ 'Given name' = 'Ada'; Surname = 'Quinn'; Department = 'Sales' }
        $result = $row | Start-InboxSync -Organization contoso -ErrorAction SilentlyContinue -ErrorVariable rowErrors
        $result.Status | Should -Be 'Failed'
        "$($rowErrors[0])" | Should -Not -BeLike '*(an empty record)*'
        "$($rowErrors[0])" | Should -BeLike '*Given name*Surname*Department*'
    }
}

Describe 'Views, progress, errors' {
    BeforeEach {
        $null = Enter-ConnectedStore
    }
    AfterEach { Exit-TestStore }

    It 'fits every default table in 80 columns, the most important columns first' {
        $long = $users[1].primarySmtpAddress
        $tables = [ordered]@{
            'Start-InboxSync'         = @(@($long, 'not an address') | Start-InboxSync -Organization contoso -ErrorAction SilentlyContinue)
            'Get-InboxSyncStatus'     = @(Get-InboxSyncStatus -IncludeInactive)
            'Test-InboxImpersonation' = @($long, $outOfScope | Test-InboxImpersonation -Organization contoso)
            'Get-InboxConnection'     = @(Get-InboxConnection)
            'Get-InboxOrganization'   = @(Get-InboxOrganization)
        }
        $headers = @{
            'Start-InboxSync'         = 'Mailbox\s+Status\s+Fldrs\s+Added\s+Upd\s+Del\s+Duration\s+Message'
            'Get-InboxSyncStatus'     = 'Mailbox\s+Status\s+LastSuccess\s+Items\s+LastError'
            'Test-InboxImpersonation' = 'Mailbox\s+CanImpersonate\s+ErrorId'
            'Get-InboxConnection'     = 'Organization\s+Status\s+TokenExpiresOn\s+Account or AppId'
            'Get-InboxOrganization'   = 'Name\s+AccessType\s+Environment\s+ServiceAccount'
        }
        foreach ($command in $tables.Keys) {
            $lines = @($tables[$command] | Format-Table | Out-String -Width 80 -Stream)
            ($lines -join "`n") | Should -Match $headers[$command] -Because "$command's header fits on one line"
            foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 80 -Because "$command's table: '$line'" }
        }
        # Duration and the status stay whole values, not one letter per line.
        ($tables['Start-InboxSync'] | Format-Table | Out-String -Width 80) | Should -Match "Synced\s+2\s+\d+\s+\d+\s+\d+\s+\d+\.\ds"
        ($tables['Get-InboxConnection'] | Format-Table | Out-String -Width 80) | Should -Match 'contoso\s+Connected\s+\d{4}-\d\d-\d\d \d\d:\d\d'
    }
}

Describe 'A failed user at the console' {
    BeforeEach {
        $null = Enter-ConnectedStore
    }
    AfterEach { Exit-TestStore }

    It 'keeps the error record short (one line) while the result row and the exception carry the detail' {
        $result = $outOfScope | Start-InboxSync -Organization contoso -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EwsImpersonationDenied,*'
        $text = "$($failed[0])"
        $text | Should -Not -Match "`n"
        $text | Should -Not -BeLike '*client-request-id*'
        $text.Length | Should -BeLessOrEqual 160
        $text | Should -BeLike "*$outOfScope*EwsImpersonationDenied*"
        $failed[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $failed[0].Exception.Message | Should -Be $result.Message
        $result.Message | Should -BeLike '*ErrorImpersonateUserDenied*'
    }
}

Describe 'A missing organization' {
    BeforeEach {
        $null = Enter-ConnectedStore
        $null = $users[1].primarySmtpAddress | Start-InboxSync -Organization contoso
    }
    AfterEach { Exit-TestStore }

    It 'is a non-terminating error of <Name> that honours -ErrorAction' -ForEach @(
        @{ Name = 'Get-InboxSyncStatus'; Command = { param($ea) Get-InboxSyncStatus -Organization nosuch -ErrorAction $ea } }
        @{ Name = 'Remove-InboxOrganization'; Command = { param($ea) Remove-InboxOrganization -Organization nosuch -Confirm:$false -ErrorAction $ea } }
        @{ Name = 'Get-InboxConnection'; Command = { param($ea) Get-InboxConnection -Organization nosuch -ErrorAction $ea } }
    ) {
        $errorsBefore = $Error.Count
        { & $Command 'SilentlyContinue' } | Should -Not -Throw
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'OrganizationNotFound,*'
        { & $Command 'Stop' } | Should -Throw -ErrorId 'OrganizationNotFound*'
        # The next record of a pipeline still runs.
        @('nosuch', 'contoso' | ForEach-Object { [pscustomobject]@{ Organization = $_ } } | Get-InboxSyncStatus -ErrorAction SilentlyContinue) | Should -HaveCount 1
        $Error.Count | Should -BeGreaterThan $errorsBefore
    }
}
