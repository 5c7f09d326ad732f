BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    function Get-ModuleSqliteConnection([string] $Path) {
        # The module's own SQLite, which loads in its private context, hidden from PowerShell's type names (README "Isolation").
        $sqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
        return $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection')::new("Data Source=$Path;Pooling=False")
    }
}

Describe 'The store' {
    BeforeEach { $storeHome = Enter-TestStore }
    AfterEach { Exit-TestStore }

    It 'returns no organization from an empty store, and creates the store file in INBOXPS_HOME' {
        @(Get-InboxOrganization) | Should -HaveCount 0
        Join-Path $storeHome 'inboxps.db' | Should -Exist
    }

    It 'stops with StoreCorrupt naming the path when the file is not a store' {
        $db = Join-Path $storeHome 'inboxps.db'
        Set-Content -Path $db -Value ('x' * 4096)
        $record = { Get-InboxOrganization } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'StoreCorrupt,InboxPS.Commands.GetInboxOrganizationCommand'
        $record.Exception.Message | Should -BeLike "*$db*"
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*move the file aside*'
    }

    It 'stops with StoreSchemaTooNew when a newer InboxPS wrote the store' {
        $null = Get-InboxOrganization
        $connection = Get-ModuleSqliteConnection (Join-Path $storeHome 'inboxps.db')
        $connection.Open()
        try {
            $command = $connection.CreateCommand()
            $command.CommandText = 'PRAGMA user_version = 999'
            $null = $command.ExecuteNonQuery()
        }
        finally { $connection.Dispose() }
        $record = { Get-InboxOrganization } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeExactly 'StoreSchemaTooNew,InboxPS.Commands.GetInboxOrganizationCommand'
    }

    It 'reports an unknown organization name as a non-terminating OrganizationNotFound error' {
        $found = Get-InboxOrganization -Name nosuchorg -ErrorAction SilentlyContinue -ErrorVariable errors
        $found | Should -BeNullOrEmpty
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'OrganizationNotFound,InboxPS.Commands.GetInboxOrganizationCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
