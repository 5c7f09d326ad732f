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

    It 'a new -Folder given for a user replaces the choice: folders no longer chosen leave with their items' {
        $mailbox = $users[6].primarySmtpAddress
        $all = $mailbox | Start-InboxSync -Organization contoso -AllMailFolders
        $all.Folders | Should -BeGreaterThan 2
        ($mailbox | Start-InboxSync -Organization contoso -Folder Inbox).Folders | Should -Be 1
        $inboxItems = @(Invoke-SimulatorControl -Simulator $sim -Path "mailboxes/$mailbox/items?folder=inbox").Count
        $status = Get-InboxSyncStatus -Organization contoso -Mailbox $mailbox
        "$($status.Folders) $($status.Items)" | Should -Be "1 $inboxItems"
        (Start-InboxSync -Organization contoso | Where-Object Mailbox -eq $mailbox).Folders | Should -Be 1
        # Widened again, every folder is chosen and synced from the start.
        ($mailbox | Start-InboxSync -Organization contoso -AllMailFolders).Folders | Should -Be $all.Folders
        (Get-InboxSyncStatus -Organization contoso -Mailbox $mailbox).Items | Should -BeGreaterThan $inboxItems
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
        # App-only signs no account in: the mailbox is the one that proves the connection, not a signed-in account.
        ($tables['Get-InboxOrganization'] | Format-Table | Out-String -Width 80) | Should -Match "contoso\s+OAuthAppOnly\s+\w+\s+$([regex]::Escape($users[0].primarySmtpAddress)) \(test\)"
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

Describe 'A store check and a backup an admin can run' {
    BeforeAll {
        function Get-ModuleSqliteConnection([string] $Path) {
            # The module's own SQLite, loaded in its private context (README "Isolation").
            $sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
            return $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')::new("Data Source=$Path;Pooling=False")
        }

        function Set-DamagedPage([string] $Path, [string] $Table) {
            # Overwrites the root page of one table, mid-file, as a disk or a copy gone wrong would: the header (page 1)
            # stays intact, so the store opens and only the commands that read that table meet the damage.
            $connection = Get-ModuleSqliteConnection $Path
            $connection.Open()
            try {
                $command = $connection.CreateCommand()
                $command.CommandText = 'PRAGMA wal_checkpoint(TRUNCATE)'
                $null = $command.ExecuteNonQuery()
                $command.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = '$Table'"
                $rootPage = [int]$command.ExecuteScalar()
                $command.CommandText = 'PRAGMA page_size'
                $pageSize = [int]$command.ExecuteScalar()
            }
            finally { $connection.Dispose() }
            $rootPage | Should -BeGreaterThan 1
            $stream = [System.IO.File]::Open($Path, 'Open', 'ReadWrite')
            try {
                $stream.Position = ($rootPage - 1) * $pageSize
                $stream.Write([byte[]]::new($pageSize).ForEach({ 0xFF }) -as [byte[]], 0, $pageSize)
            }
            finally { $stream.Dispose() }
        }
    }

    BeforeEach {
        $storeHome = Enter-ConnectedStore
        $db = Join-Path $storeHome 'inboxps.db'
        $null = $users[1..3].primarySmtpAddress | Start-InboxSync -Organization contoso
    }
    AfterEach {
        $env:INBOXPS_STORE = $null
        Exit-TestStore
    }

    It 'says a healthy store is Healthy, with its schema version' {
        $check = Test-InboxStore
        $check.Verdict | Should -Be 'Healthy'
        $check.IsHealthy | Should -BeTrue
        $check.Location | Should -Be $db
        $check.SchemaVersion | Should -Be $check.SupportedSchemaVersion
        $check.Problems | Should -HaveCount 0
        # The list view fits 80 columns.
        foreach ($line in ($check | Out-String -Width 80 -Stream)) { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'backs the store up to an owner-only file that holds the same roster, and will not overwrite without -Force' {
        $backup = Backup-InboxStore -Path (Join-Path $storeHome 'never-written.db') -WhatIf
        $backup | Should -BeNullOrEmpty
        Join-Path $storeHome 'never-written.db' | Should -Not -Exist
        Push-Location $storeHome
        try { $backup = Backup-InboxStore -Path ./copy.db } finally { Pop-Location }
        $backup.FullName | Should -Be (Join-Path $storeHome 'copy.db')
        if (-not $IsWindows) { (Get-Item $backup.FullName).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        (Test-InboxStore -Path $backup.FullName).Verdict | Should -Be 'Healthy'

        $record = { Backup-InboxStore -Path $backup.FullName } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'StoreBackupTargetExists,InboxPS.Commands.BackupInboxStoreCommand'
        (Backup-InboxStore -Path $backup.FullName -Force).Length | Should -BeGreaterThan 0

        # The copy is a store of its own with the same users.
        $expected = @(Get-InboxSyncStatus | ForEach-Object { "$($_.Mailbox) $($_.Items)" })
        $copyHome = New-TestStoreHome
        Copy-Item $backup.FullName (Join-Path $copyHome 'inboxps.db')
        $env:INBOXPS_HOME = $copyHome
        @(Get-InboxSyncStatus | ForEach-Object { "$($_.Mailbox) $($_.Items)" }) | Should -BeExactly $expected
        $env:INBOXPS_HOME = $storeHome
    }

    It 'reports a damaged page mid-file as StoreCorrupt with how to recover, never as a SqliteException, and recovers from the backup' {
        $backup = Backup-InboxStore -Path (Join-Path $storeHome 'before.db')
        Set-DamagedPage -Path $db -Table 'roster'
        $Error.Clear()

        $record = { Get-InboxSyncStatus -Organization contoso } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'StoreCorrupt,InboxPS.Commands.GetInboxSyncStatusCommand'
        $record.Exception.Message | Should -BeLike '*malformed*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Restore the store from a backup (Backup-InboxStore*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Test-InboxStore*'
        { Start-InboxSync -Organization contoso } | Should -Throw -ErrorId 'StoreCorrupt,*'
        { Disable-InboxSync -Organization contoso -Identity $users[1].primarySmtpAddress -Confirm:$false } | Should -Throw -ErrorId 'StoreCorrupt,*'
        @($Error | Where-Object { $_.FullyQualifiedErrorId -match '^(Microsoft\.Data\.Sqlite|InboxPS\.Core)' }) | Should -HaveCount 0

        $check = Test-InboxStore
        $check.Verdict | Should -Be 'Damaged'
        $check.IsHealthy | Should -BeFalse
        $check.Problems | Should -Not -BeNullOrEmpty
        $check.RecommendedAction | Should -BeLike '*backup*'

        # The recovery the advice describes: the backup copied over the store while nothing runs.
        Copy-Item $backup.FullName $db -Force
        Remove-Item "$db-wal", "$db-shm" -ErrorAction SilentlyContinue
        (Test-InboxStore).Verdict | Should -Be 'Healthy'
        @(Get-InboxSyncStatus -Organization contoso) | Should -HaveCount 3
    }

    It 'says a PostgreSQL store is backed up with pg_dump, and that an unreachable one is Unreachable' {
        $env:INBOXPS_STORE = 'postgres://inboxps@127.0.0.1:1/inboxps'
        $record = { Backup-InboxStore -Path (Join-Path $storeHome 'pg.db') } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'StoreBackupUsePgDump,InboxPS.Commands.BackupInboxStoreCommand'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*pg_dump*'
        Join-Path $storeHome 'pg.db' | Should -Not -Exist
        $check = Test-InboxStore
        "$($check.Kind) $($check.Verdict)" | Should -Be 'PostgreSQL Unreachable'
        $check.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Errors that name what they met' {
    BeforeEach {
        $null = Enter-ConnectedStore
    }
    AfterEach { Exit-TestStore }

    It 'gives an organization that is not connected a stable id in <Name>' -ForEach @(
        @{ Name = 'Start-InboxSync'; Command = { Start-InboxSync -Organization fabrikam -Identity $users[1].primarySmtpAddress } }
        @{ Name = 'Test-InboxImpersonation'; Command = { Test-InboxImpersonation -Organization fabrikam -Identity $users[1].primarySmtpAddress } }
    ) {
        $null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $record = { & $Command } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Not -Match '^(InboxPS\.Core|Microsoft\.Data\.Sqlite|System\.)'
        $record.FullyQualifiedErrorId | Should -BeLike "*,InboxPS.Commands.$($Name -replace '-', '')Command"
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Connect-InboxImpersonation*'
    }

    It 'names the URL it called when EWS answers 404' {
        $wrong = $sim.ewsUrl -replace 'Exchange\.asmx$', 'Nowhere.asmx'
        $null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -EwsUrl $wrong -WarningAction SilentlyContinue
        $secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force
        $record = { Connect-InboxImpersonation -Organization fabrikam -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'EwsEndpointNotFound,*'

        $record.Exception.Message | Should -BeLike "*404*$wrong*"
    }
}

Describe 'Connections' {
    BeforeEach {
        $null = Enter-ConnectedStore
        $null = Set-InboxAccessType -Organization fabrikam -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $secret = ConvertTo-SecureString $sim.clientSecret -AsPlainText -Force
    }
    AfterEach { Exit-TestStore }

    It 'keeps the tenant, app and authority of a failed mailbox check, so the retry needs only the fix' {
        { Connect-InboxImpersonation -Organization fabrikam -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $secret -ServiceAccount $outOfScope } |
            Should -Throw -ErrorId 'ImpersonationNotGranted,*'
        $kept = Get-InboxOrganization fabrikam
        "$($kept.TenantId) $($kept.ClientId) $($kept.Authority)" | Should -Be "$($sim.tenantId) $($sim.clientId) $($sim.authority)"
        # Never the secret.
        Get-Content -Raw (Join-Path $env:INBOXPS_HOME 'inboxps.db') -AsByteStream | ForEach-Object { [System.Text.Encoding]::Latin1.GetString($_) } |
            Should -Not -BeLike "*$($sim.clientSecret)*"
        # Not connected yet: Get-InboxConnection says so, with the failure the organization met.
        $null = Get-InboxConnection -Organization fabrikam -ErrorAction SilentlyContinue -ErrorVariable notConnected
        "$($notConnected[0])" | Should -BeLike "*not connected*last authorization failure*ImpersonationNotGranted*$outOfScope*"
        $connection = Connect-InboxImpersonation -Organization fabrikam -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress
        $connection.Status | Should -Be 'Connected'
        # Connected now, the last failure stays visible, with its time.
        $shown = Get-InboxConnection -Organization fabrikam
        $shown.LastAuthorizationFailure | Should -BeLike 'ImpersonationNotGranted:*'
        $shown.LastAuthorizationFailureOn | Should -BeLessOrEqual ([DateTimeOffset]::UtcNow)
        # A refused secret is one too.
        { Connect-InboxImpersonation -Organization fabrikam -ClientSecret (ConvertTo-SecureString 'Wr0ng~Secret-Value-123' -AsPlainText -Force) } | Should -Throw
        (Get-InboxConnection -Organization fabrikam).LastAuthorizationFailure | Should -Not -BeLike 'ImpersonationNotGranted:*'
    }

    It 'refuses a -TenantId that disagrees with the remembered authority' {
        $null = Connect-InboxImpersonation -Organization fabrikam -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress
        $record = { Connect-InboxImpersonation -Organization fabrikam -TenantId 'fabrikam.onmicrosoft.com' -ClientSecret $secret } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'TenantIdDisagreesWithAuthority,InboxPS.Commands.ConnectInboxImpersonationCommand'
        $record.Exception.Message | Should -BeLike "*fabrikam.onmicrosoft.com*$($sim.tenantId)*"
        # The same tenant, or none, still connects.
        (Connect-InboxImpersonation -Organization fabrikam -TenantId $sim.tenantId -ClientSecret $secret).Status | Should -Be 'Connected'
    }

    It 'says with -Verbose what a connect is waiting for, step by step' {
        $verbose = Connect-InboxImpersonation -Organization fabrikam -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $secret -ServiceAccount $users[0].primarySmtpAddress -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $text = $verbose -join "`n"
        $text | Should -BeLike "*acquiring a token (ClientSecret) from the authority $($sim.authority)*"
        $text | Should -BeLike "*calling EWS at $($sim.ewsUrl)*$($users[0].primarySmtpAddress)*"
        $text | Should -Not -BeLike "*$($sim.clientSecret)*"
    }
}

Describe 'Progress of a run over two organizations' {
    BeforeEach {
        $null = Enter-ConnectedStore
        Connect-TestOrganization $sim -ServiceAccount $users[0].primarySmtpAddress -Organization fabrikam
        $null = $users[1].primarySmtpAddress | Start-InboxSync -Organization contoso
        $null = $users[2].primarySmtpAddress | Start-InboxSync -Organization fabrikam
    }
    AfterEach { Exit-TestStore }

    It 'gives each organization its own progress bar (ActivityId)' {
        # Progress cannot be redirected; a runspace of its own collects it (connections belong to a runspace, so it
        # signs both organizations in first, from what the store remembers).
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                param($Manifest, $Sim, $Mailbox)
                Import-Module $Manifest
                $secret = ConvertTo-SecureString $Sim.clientSecret -AsPlainText -Force
                foreach ($organization in 'contoso', 'fabrikam') {
                    $null = Connect-InboxImpersonation -Organization $organization -ClientSecret $secret -ServiceAccount $Mailbox
                }
                Get-InboxSyncStatus | Start-InboxSync
            }).AddArgument($ModuleManifest).AddArgument($sim).AddArgument($users[0].primarySmtpAddress)
            $results = $shell.Invoke()
            $shell.Streams.Error | Should -HaveCount 0
            $progress = @($shell.Streams.Progress | Where-Object Activity -like 'Start-InboxSync*')
        }
        finally { $shell.Dispose() }
        @($results | ForEach-Object { "$($_.Organization) $($_.Status)" } | Sort-Object) | Should -BeExactly @('contoso Synced', 'fabrikam Synced')
        $byOrganization = $progress | Group-Object Activity
        @($byOrganization.Name | Sort-Object) | Should -BeExactly @('Start-InboxSync: contoso', 'Start-InboxSync: fabrikam')
        $ids = foreach ($group in $byOrganization) { @($group.Group.ActivityId | Sort-Object -Unique) }
        $ids | Should -HaveCount 2 -Because 'each organization keeps one id'
        ($ids | Sort-Object -Unique) | Should -HaveCount 2 -Because 'two organizations never share one'
        @($progress | Where-Object RecordType -eq 'Completed') | Should -HaveCount 2
    }
}
